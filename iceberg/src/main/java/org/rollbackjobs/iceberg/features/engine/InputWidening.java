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
      if (toLong(projection, inputs, i) || toDouble(projection, inputs, i)) {
        return true;
      }
    }
    return false;
  }

  private static boolean toLong(Schema projection, List<Types.NestedField> inputs, int i) {
    return projection.columns().get(i).type().typeId() == Type.TypeID.INTEGER
        && inputs.get(i).type().typeId() == Type.TypeID.LONG;
  }

  private static boolean toDouble(Schema projection, List<Types.NestedField> inputs, int i) {
    return projection.columns().get(i).type().typeId() == Type.TypeID.FLOAT
        && inputs.get(i).type().typeId() == Type.TypeID.DOUBLE;
  }

  /** An int source column read for a long input, or a float for a double, is widened as the pipeline expects. */
  public static UnaryOperator<StructLike> of(Schema projection, List<Types.NestedField> inputs) {
    boolean[] toLong = new boolean[inputs.size()];
    boolean[] toDouble = new boolean[inputs.size()];
    boolean any = false;
    for (int i = 0; i < inputs.size(); i++) {
      toLong[i] = toLong(projection, inputs, i);
      toDouble[i] = toDouble(projection, inputs, i);
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
