package org.rollbackjobs.jobs.launch;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongFunction;

/**
 * What one job execution keeps in memory for its steps and partitions (a loaded table, planned splits, a progress
 * printer), keyed by the job execution id: executions running side by side in one process never see each
 * other's, and one ending drops only its own. The owner releases an execution's value when it ends (in
 * {@code afterJob}); nothing here survives the process, so a restart (a new execution) makes its own.
 */
public final class RunScopedCache<V> {
  private final ConcurrentMap<Long, V> values = new ConcurrentHashMap<>();

  /**
   * The execution's value, made by {@code create} on its first use; partitions asking at the same time get the same
   * one. {@code create} runs under the map's lock: keep it cheap (make the value load lazily).
   */
  public V get(long jobExecutionId, LongFunction<? extends V> create) {
    return values.computeIfAbsent(jobExecutionId, create::apply);
  }

  /** The execution's value, or null when it has none. */
  public V find(long jobExecutionId) {
    return values.get(jobExecutionId);
  }

  /** Sets the execution's value; returns the one it replaces, or null. */
  public V put(long jobExecutionId, V value) {
    return values.put(jobExecutionId, value);
  }

  /** Forgets the execution's value; returns it, or null. */
  public V release(long jobExecutionId) {
    return values.remove(jobExecutionId);
  }

  /** How many executions hold a value now (for tests and leak checks). */
  public int size() {
    return values.size();
  }
}
