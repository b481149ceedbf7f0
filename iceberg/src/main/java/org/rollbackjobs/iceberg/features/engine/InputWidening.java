package org.rollbackjobs.iceberg.features.engine;

import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Source rows as a pipeline expects them: shared by the recompute engine and the checks of verify. */
public final class InputWidening {
  private InputWidening() {}

  /** Whether a source column must be widened for the pipeline's inputs (see {@link #of}). */
  public static boolean widens(Schema projection, List<Types.NestedField> inputs) {
    for (int i = 0; i < inputs.size(); i++) {
      Type.TypeID read = projection.columns().get(i).type().typeId();
      Type.TypeID wanted = inputs.get(i).type().typeId();
      if ((read == Type.TypeID.INTEGER && wanted == Type.TypeID.LONG)
          || (read == Type.TypeID.FLOAT && wanted == Type.TypeID.DOUBLE)) {
        return true;
      }
    }
    return false;
  }

  /** An int source column read for a long input, or a float for a double, is widened as the pipeline expects. */
  public static UnaryOperator<StructLike> of(Schema projection, List<Types.NestedField> inputs) {
    boolean[] toLong = new boolean[inputs.size()];
    boolean[] toDouble = new boolean[inputs.size()];
    boolean any = false;
    for (int i = 0; i < inputs.size(); i++) {
      Type read = projection.columns().get(i).type();
      Type wanted = inputs.get(i).type();
      toLong[i] = read.typeId() == Type.TypeID.INTEGER && wanted.typeId() == Type.TypeID.LONG;
      toDouble[i] = read.typeId() == Type.TypeID.FLOAT && wanted.typeId() == Type.TypeID.DOUBLE;
      any |= toLong[i] || toDouble[i];
    }
    if (!any) {
      return UnaryOperator.identity();
    }
    return struct -> new StructLike() {
      @Override
      public int size() {
        return struct.size();
      }

      @Override
      public <T> T get(int pos, Class<T> javaClass) {
        Object value = struct.get(pos, Object.class);
        if (value != null && pos < toLong.length) {
          if (toLong[pos]) {
            value = ((Integer) value).longValue();
          } else if (toDouble[pos]) {
            value = ((Float) value).doubleValue();
          }
        }
        return javaClass.cast(value);
      }

      @Override
      public <T> void set(int pos, T value) {
        throw new UnsupportedOperationException("source rows are read-only");
      }
    };
  }
}
