package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.iceberg.types.Type;

/**
 * A per-key aggregation with a mutable, mergeable and serialisable partial state, so that the engine can
 * aggregate file scan tasks in parallel, spill partial states to disk when they do not fit in memory, and
 * merge them afterwards.
 *
 * <p>The engine feeds only non-null values ({@code count(*)} is fed a constant). {@link #add} and {@link #merge}
 * return how many bytes the state grew by (0 for fixed-size states), for the engine's memory accounting.
 *
 * @param <S> the partial state
 */
public interface Aggregate<S> {

  /** The function and its input type, for example {@code sum(double)}; part of a pipeline's signature. */
  String describe();

  /** The type of the output column. */
  Type resultType();

  S create();

  /** Estimated heap bytes of a state just created. */
  int stateBytes();

  long add(S state, Object value);

  long merge(S into, S other);

  /** The output value (null when no value was added, except for counts). */
  Object result(S state);

  void write(S state, DataOutput out) throws IOException;

  S read(DataInput in) throws IOException;

  /**
   * Whether states keep values fed to them (distinct values, a string minimum). The engine then feeds one
   * shared instance per equal value, so that a million states holding "grocery" hold one string, and accounts
   * for the values' memory itself: {@link #add} and {@link #merge} then count only the state's own growth.
   */
  default boolean retainsValues() {
    return false;
  }

  /**
   * A column of states for the map side's in-memory aggregation. The default keeps one {@link #create()}d state
   * per key; the built-in aggregates use primitive arrays.
   */
  default StateColumn newColumn() {
    return new ObjectStates<>(this);
  }
}
