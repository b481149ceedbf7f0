package org.rollbackjobs.iceberg.catalog;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;
import org.apache.iceberg.jdbc.UncheckedInterruptedException;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table's operations whose commit checks its own outcome when it fails.
 *
 * <p>Why: Iceberg's JDBC catalog (1.10.1) commits with {@code UPDATE iceberg_tables ... WHERE metadata_location =
 * old}. When the connection drops during that statement, its pool reconnects and runs the UPDATE again; if the
 * first one had landed, the second matches no row and the commit fails with {@link CommitFailedException}, which
 * Iceberg takes for a concurrent writer: a snapshot update retries on the table that already holds its snapshot
 * and deletes the manifest list the committed snapshot references (a corrupt table), a transaction re-validates,
 * fails, and deletes its manifests; a restore reports "nothing changed" when it did. When the connection stays
 * down it fails with {@code UncheckedSQLException}, never {@link CommitStateUnknownException}.
 *
 * <p>So every failed commit is checked by re-reading the table through the catalog (the pool opens a fresh
 * connection for a dead one): if the table holds the metadata we committed (its snapshots, refs, schema and
 * timestamp), or, after a later writer, the snapshots we added, the commit landed.
 *
 * <ul>
 *   <li>Landed: the commit returns normally. The outcome is not assumed, it was read back from the catalog, so
 *       it is known; reporting it as a failure would leave a completed rollback step to a restart during an
 *       incident, and keep Iceberg from deleting the leftovers of its own earlier attempts.
 *   <li>Not landed after a clean refusal ({@link CommitFailedException}, {@link AlreadyExistsException}, a
 *       broken integrity constraint: such a statement can never land later) or a failure before the database was
 *       reached (e.g. writing the metadata file): the original failure, as
 *       before (the callers map a refusal to {@code ConcurrentChangeException}).
 *   <li>Not landed after the database connection failed, or the check itself failed: {@link
 *       CommitOutcomeUnknownException}. A statement the server received may still be applied after the check,
 *       so "not there yet" is no proof. Iceberg neither retries nor cleans up after it; the job fails (exit 1),
 *       and its restart re-reads the table: a recompute finds its run id, a restore finds the table at its
 *       target, a tag is found in place, or else the commit is made then.
 * </ul>
 */
final class CheckedCommitTableOperations implements TableOperations {
  private static final Logger LOG = LoggerFactory.getLogger(CheckedCommitTableOperations.class);
  /** Attempts to re-read the table after a failed commit, and the pause between them. */
  static final int CHECK_ATTEMPTS = 3;
  static final long CHECK_PAUSE_MILLIS = 1000;

  private final TableOperations delegate;
  private final String table;

  CheckedCommitTableOperations(TableOperations delegate, String table) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.table = table;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    try {
      delegate.commit(base, metadata);
    } catch (CommitStateUnknownException e) {
      throw e;
    } catch (RuntimeException e) {
      Check check = check(base, metadata);
      if (check.landed()) {
        LOG.warn("The commit to Iceberg table {} failed ({}), but re-reading the table shows it was made:"
            + " continuing", table, oneLine(e));
        return;
      }
      if (check.failure() == null && (refused(e) || !reachedDatabase(e))) {
        throw e;
      }
      throw new CommitOutcomeUnknownException("the commit to Iceberg table " + table + " failed and its outcome"
          + " is unknown: the catalog's database failed during the commit (" + oneLine(e) + ") and "
          + (check.failure() == null
              ? "the table does not show the commit yet, but the statement may still be applied"
              : "the table could not be re-read to check it (" + oneLine(check.failure()) + ")")
          + "; nothing was cleaned up, and a restart of the job ('restart --execution ID') checks the table and"
          + " makes the commit or finds it made", e);
    }
  }

  /** The outcome read back from the catalog: landed, or not landed, or a failure to read. */
  private record Check(boolean landed, RuntimeException failure) {}

  private Check check(TableMetadata base, TableMetadata ours) {
    RuntimeException failure = null;
    for (int attempt = 1; attempt <= CHECK_ATTEMPTS; attempt++) {
      try {
        TableMetadata now = delegate.refresh();
        return new Check(now != null && holds(now, base, ours), null);
      } catch (RuntimeException e) {
        failure = e;
      }
      if (attempt < CHECK_ATTEMPTS && !pause()) {
        break;
      }
    }
    return new Check(false, failure);
  }

  /** Whether {@code now} is {@code ours}, or a later state that holds the snapshots {@code ours} added. */
  static boolean holds(TableMetadata now, TableMetadata base, TableMetadata ours) {
    if (now.lastUpdatedMillis() == ours.lastUpdatedMillis()
        && now.currentSchemaId() == ours.currentSchemaId()
        && now.lastSequenceNumber() == ours.lastSequenceNumber()
        && snapshotIds(now).equals(snapshotIds(ours))
        && refs(now).equals(refs(ours))
        && now.properties().equals(ours.properties())) {
      return true;
    }
    // snapshot ids are random 63-bit numbers: ours appear in no other writer's metadata
    Set<Long> added = snapshotIds(ours);
    if (base != null) {
      added.removeAll(snapshotIds(base));
    }
    return !added.isEmpty() && snapshotIds(now).containsAll(added);
  }

  private static Set<Long> snapshotIds(TableMetadata metadata) {
    return metadata.snapshots().stream().map(Snapshot::snapshotId).collect(Collectors.toSet());
  }

  private static Map<String, String> refs(TableMetadata metadata) {
    Map<String, String> refs = new HashMap<>();
    metadata.refs().forEach((name, ref) -> refs.put(name, describe(ref)));
    return refs;
  }

  private static String describe(SnapshotRef ref) {
    return ref.type() + ":" + ref.snapshotId();
  }

  /**
   * Whether the catalog refused the commit: another writer's metadata is current (the UPDATE matched no row), or
   * the table exists (the INSERT of a create broke the primary key). Such a statement can never land later.
   */
  private static boolean refused(RuntimeException e) {
    if (e instanceof CommitFailedException || e instanceof AlreadyExistsException) {
      return true;
    }
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
        return true; // integrity constraint violation
      }
    }
    return false;
  }

  /** Whether the failure came from talking to the catalog's database (the statement may have been sent). */
  private static boolean reachedDatabase(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SQLException || t instanceof UncheckedSQLException || t instanceof InterruptedException
          || t instanceof UncheckedInterruptedException) {
        return true;
      }
    }
    return false;
  }

  private static boolean pause() {
    try {
      Thread.sleep(CHECK_PAUSE_MILLIS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The failure's message and its root cause's (Iceberg's "Unknown failure" says little), on one line. */
  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = messageOf(e) + (root == e ? "" : ": " + messageOf(root));
    return message.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  private static String messageOf(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  @Override
  public TableMetadata current() {
    return delegate.current();
  }

  @Override
  public TableMetadata refresh() {
    return delegate.refresh();
  }

  @Override
  public FileIO io() {
    return delegate.io();
  }

  @Override
  public EncryptionManager encryption() {
    return delegate.encryption();
  }

  @Override
  public String metadataFileLocation(String fileName) {
    return delegate.metadataFileLocation(fileName);
  }

  @Override
  public LocationProvider locationProvider() {
    return delegate.locationProvider();
  }

  @Override
  public TableOperations temp(TableMetadata uncommittedMetadata) {
    return delegate.temp(uncommittedMetadata);
  }

  @Override
  public long newSnapshotId() {
    return delegate.newSnapshotId();
  }

  @Override
  public boolean requireStrictCleanup() {
    return delegate.requireStrictCleanup();
  }
}
