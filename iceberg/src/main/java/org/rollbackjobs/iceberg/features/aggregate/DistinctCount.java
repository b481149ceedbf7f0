package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.features.value.SpillInput;
import org.rollbackjobs.iceberg.features.value.ValueCodec;

/**
 * Exact number of distinct values; the partial state is the set of values seen. Most keys see few distinct
 * values (categories of a customer), so small sets are an array searched linearly, and only large ones a hash set.
 */
final class DistinctCount implements Aggregate<DistinctCount.State> {
  private static final int SMALL = 16;
  /** In place of a state's size: the state is a bit per id of values its run wrote once (see DistinctCountColumn). */
  static final int BY_ID = -1;
  private static final int IDS = 64;

  static final class State {
    Object[] small;
    int size;
    Set<Object> large;

    State() {
      this(4);
    }

    /** With room for {@code capacity} values (up to {@link #SMALL}) in the array. */
    State(int capacity) {
      small = new Object[Math.max(1, Math.min(capacity, SMALL))];
    }

    /**
     * Adds a value; returns the bytes the state grew by, not counting the value itself (the engine shares
     * equal values between states and accounts for them once).
     */
    long add(Object value) {
      if (large != null) {
        return large.add(value) ? 48 : 0;
      }
      for (int i = 0; i < size; i++) {
        Object known = small[i];
        // read back from a spill run, equal strings are mostly one instance (ValueCodec.readShared); different
        // ones mostly differ in their (cached) hash codes, which spares comparing their contents
        if (known == value || (known.hashCode() == value.hashCode() && known.equals(value))) {
          return 0;
        }
      }
      if (size == SMALL) {
        large = new HashSet<>(Arrays.asList(small).subList(0, size));
        small = null;
        large.add(value);
        return (SMALL + 1) * 48L;
      }
      long grown = 4;
      if (size == small.length) {
        small = Arrays.copyOf(small, Math.min(small.length * 2, SMALL));
        grown += small.length * 4L;
      }
      small[size++] = value;
      return grown;
    }

    int size() {
      return large != null ? large.size() : size;
    }

    Iterable<Object> values() {
      return large != null ? large : Arrays.asList(small).subList(0, size);
    }
  }

  private final Type type;

  DistinctCount(Type type) {
    this.type = type;
  }

  @Override
  public String describe() {
    return "distinct-count(" + type + ")";
  }

  @Override
  public boolean retainsValues() {
    return true;
  }

  @Override
  public Type resultType() {
    return Types.LongType.get();
  }

  @Override
  public State create() {
    return new State();
  }

  @Override
  public int stateBytes() {
    return 56;
  }

  @Override
  public long add(State state, Object value) {
    return state.add(value);
  }

  @Override
  public long merge(State into, State other) {
    long grown = 0;
    if (other.large == null) { // the common case, without an iterator over a list view
      for (int i = 0; i < other.size; i++) {
        grown += into.add(other.small[i]);
      }
      return grown;
    }
    for (Object value : other.large) {
      grown += into.add(value);
    }
    return grown;
  }

  @Override
  public Object result(State state) {
    return (long) state.size();
  }

  @Override
  public void write(State state, DataOutput out) throws IOException {
    out.writeInt(state.size());
    for (Object value : state.values()) {
      ValueCodec.write(out, value);
    }
  }

  @Override
  public State read(DataInput in) throws IOException {
    int n = in.readInt();
    if (n == BY_ID) {
      return readById(in);
    }
    State state = new State(n);
    if (n <= SMALL) {
      // a spilled state is a set (write above, DistinctCountColumn.write): its values need no check for duplicates
      for (int i = 0; i < n; i++) {
        state.small[i] = ValueCodec.readShared(in);
      }
      state.size = n;
      return state;
    }
    for (int i = 0; i < n; i++) {
      state.add(ValueCodec.readShared(in));
    }
    return state;
  }

  private State readById(DataInput in) throws IOException {
    if (!(in instanceof SpillInput run)) {
      throw new IOException("a distinct-count state by id can only be read from the run it was written to");
    }
    Object[] values = run.ids(IDS);
    long bits = in.readLong();
    for (long fresh = in.readLong(); fresh != 0; fresh &= fresh - 1) {
      values[Long.numberOfTrailingZeros(fresh)] = ValueCodec.readShared(in);
    }
    int n = Long.bitCount(bits);
    State state = new State(n);
    for (long rest = bits; rest != 0; rest &= rest - 1) {
      Object value = values[Long.numberOfTrailingZeros(rest)];
      if (n <= SMALL) {
        state.small[state.size++] = value; // a set already: distinct ids are distinct values
      } else {
        state.add(value);
      }
    }
    return state;
  }

  @Override
  public StateColumn newColumn() {
    return new DistinctCountColumn();
  }
}
