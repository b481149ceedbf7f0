package org.rollbackjobs.jobs.launch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One advisory lock a run asks for: what it is on (a kind and a name) and whether others may hold it too (readers
 * share, writers exclude). In PostgreSQL the kind is the first key of the two-key advisory lock and
 * {@code hashtext(name)} the second; two names with the same hash share a lock, which can only refuse too much.
 */
public record LockClaim(Kind kind, String name, boolean shared) {
  /** What is locked; each kind is a namespace of its own (four ASCII letters as the first key). */
  public enum Kind {
    /** A system: one rollback or drill of it at a time. */
    SYSTEM("RBSY", "system", "written"),
    /** An Iceberg table: a restore or a recompute's target writes it, a recompute reads its source. */
    TABLE("RBTB", "table", "written"),
    /** A pgvector index ({@code schema.index}): rebuilt or switched back. */
    INDEX("RBIX", "index", "rebuilt"),
    /** The manifests of a system: one capture at a time (it may remove the tags a crashed capture left). */
    MANIFESTS("RBMF", "system", "captured");

    private final int namespace;
    private final String noun;
    private final String written;

    Kind(String letters, String noun, String written) {
      this.namespace = ByteBuffer.wrap(letters.getBytes(StandardCharsets.US_ASCII)).getInt();
      this.noun = noun;
      this.written = written;
    }

    /** The first key of the kind's advisory locks ({@code pg_locks.classid}). */
    public int namespace() {
      return namespace;
    }

    /** How a holder of a lock of this kind uses its object, for messages: read (shared) or written. */
    String use(boolean shared) {
      return shared ? "read" : written;
    }
  }

  public static LockClaim exclusive(Kind kind, String name) {
    return new LockClaim(kind, name, false);
  }

  public static LockClaim shared(Kind kind, String name) {
    return new LockClaim(kind, name, true);
  }

  /** {@code table shop.transactions}. */
  public String object() {
    return kind.noun + " " + name;
  }
}
