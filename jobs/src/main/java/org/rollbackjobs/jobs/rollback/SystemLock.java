package org.rollbackjobs.jobs.rollback;

import java.util.List;
import org.rollbackjobs.jobs.launch.AdvisoryLocks;
import org.rollbackjobs.jobs.launch.LockClaim;
import org.springframework.stereotype.Component;

/**
 * One rollback or drill of a system at a time, across processes and machines: the {@link AdvisoryLocks advisory
 * lock} of the system's name, held by a connection of the process that runs the flow. PostgreSQL releases it when
 * that session ends, so a holder that dies (also by SIGKILL, or with its machine) leaves nothing locked.
 */
@Component
public class SystemLock {
  private final AdvisoryLocks locks;

  public SystemLock(AdvisoryLocks locks) {
    this.locks = locks;
  }

  /** The lock of the system, held until closed; a guard refusal (exit 4) naming the holder when it is taken. */
  public Held acquire(String system) {
    return new Held(locks.acquire(claim(system), conflict -> refusal(system, conflict)));
  }

  /** Whether the lock is free now (for a dry run's guard): null, or the refusal; takes and releases it at once. */
  public String checkFree(String system) {
    return locks.conflict(claim(system), conflict -> refusal(system, conflict));
  }

  private static List<LockClaim> claim(String system) {
    return List.of(LockClaim.exclusive(LockClaim.Kind.SYSTEM, system));
  }

  private static String refusal(String system, AdvisoryLocks.Conflict conflict) {
    return "a rollback or drill of system " + system + " is running (" + conflict.heldBy() + ");"
        + " wait for it to end, or see 'status'";
  }

  /** A held system lock; closing it releases the lock. */
  public static final class Held implements AutoCloseable {
    private final AdvisoryLocks.Held lock;

    private Held(AdvisoryLocks.Held lock) {
      this.lock = lock;
    }

    /** The PostgreSQL backend that holds the lock. */
    public Integer backendPid() {
      return lock.backendPid();
    }

    @Override
    public void close() {
      lock.close();
    }
  }
}
