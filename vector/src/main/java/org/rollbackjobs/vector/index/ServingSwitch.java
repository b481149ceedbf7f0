package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.vector.embedding.EmbeddingRegistry;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.rollbackjobs.vector.embedding.QuarantinedVersionException;
import org.rollbackjobs.vector.embedding.RegisteredVersion;
import org.rollbackjobs.vector.sql.SqlIdentifier;

/**
 * Points the serving name at a build, in one transaction: the view is replaced ({@code CREATE OR REPLACE VIEW}),
 * the registry records the new serving build, the replaced build starts its cool-down, and version statuses
 * (active, previous, quarantined) change with it. A reader sees the old build or the new one, never an error,
 * an empty answer or a mix: PostgreSQL resolves the name once per statement, and the replacement holds an
 * exclusive lock until it commits (statements that arrive meanwhile wait, then read the new definition).
 *
 * <p>The first switch of a name that is a plain table (an index made outside the suite) renames the table to a
 * build name, registers it as a {@code legacy} build (kept for the cool-down like any previous build) and
 * creates the view in its place, in the same transaction.
 */
public final class ServingSwitch {

  /**
   * @param coolDown how long the replaced build is kept for a switch-back
   * @param overrideQuarantine allow switching to a quarantined version (lifts the quarantine)
   * @param switchBack undo the latest switch: lift the quarantines it set, quarantine nothing
   * @param lockTimeout how long to wait for readers' locks on the serving name
   * @param keepVersionStatus leave the embedding registry's version statuses as they are: the registry is shared by
   *     every index, and an index in a drill's sandbox must not make a version active or quarantine one
   */
  public record Options(Duration coolDown, String reason, boolean overrideQuarantine, boolean switchBack,
      Duration lockTimeout, VersionCatalog versions, boolean keepVersionStatus) {
    public Options {
      versions = versions == null ? VersionCatalog.builtInOnly() : versions;
    }
  }

  private ServingSwitch() {}

  /**
   * Switches {@code index} to {@code target}. {@code expectedServingBuild}, when not null, is the build the caller
   * planned against: if another switch happened since, nothing changes ({@link ConcurrentChangeException}).
   */
  public static SwitchResult switchTo(Connection c, IndexName index, IndexBuild target, Options options,
      Long expectedServingBuild, boolean checkExpected, String actor) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      SwitchResult result = switchInTransaction(c, index, target, options, expectedServingBuild, checkExpected, actor);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static SwitchResult switchInTransaction(Connection c, IndexName index, IndexBuild target, Options options,
      Long expectedServingBuild, boolean checkExpected, String actor) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL lock_timeout = " + Math.max(1, options.lockTimeout().toMillis()));
    }
    lockIndex(c, index);
    ServingState state = ServingRelation.inspect(c, index);
    if (checkExpected && !java.util.Objects.equals(state.servingBuildId(), expectedServingBuild)) {
      throw new ConcurrentChangeException("index " + index + " was switched by someone else while this run was"
          + " building (it serves build " + state.servingBuildId() + ", this run planned against "
          + expectedServingBuild + "); nothing was switched", null);
    }
    IndexBuild current = Optional.ofNullable(state.servingBuildId())
        .flatMap(id -> find(c, id)).orElse(null);
    IndexBuild fresh = BuildRegistry.find(c, target.id()).orElseThrow();
    checkSwitchable(index, state, fresh, options);

    Set<String> targetVersions = versionsOf(fresh);
    List<String> lifted = new ArrayList<>();
    for (String v : targetVersions) {
      Optional<RegisteredVersion> registered = EmbeddingRegistry.find(c, v);
      if (registered.isPresent() && registered.get().quarantined()) {
        boolean undoneBySwitchBack = options.switchBack() && current != null
            && java.util.Objects.equals(registered.get().quarantinedByBuild(), current.id());
        if (!options.overrideQuarantine() && !undoneBySwitchBack) {
          throw new QuarantinedVersionException(v, registered.get().statusReason(), registered.get().statusChangedAt());
        }
        lifted.add(v);
      }
    }

    String legacyTable = null;
    if (state.kind() == ServingState.Kind.TABLE) {
      List<String> grantees = ServingRelation.selectGrantees(c, index);
      String versions = String.join(",", state.versions().keySet());
      current = BuildRegistry.insertLegacy(c, index, versions.isEmpty() ? "(none)" : versions,
          state.dimension() == null ? fresh.dimension() : state.dimension(), state.docIdType(), state.rows(),
          "replaced by build " + fresh.id(), actor);
      legacyTable = current.buildTable();
      try (Statement s = c.createStatement()) {
        s.execute("ALTER TABLE " + index.sql() + " RENAME TO " + SqlIdentifier.quote(legacyTable));
      }
      replaceView(c, index, fresh);
      for (String grantee : grantees) {
        try (Statement s = c.createStatement()) {
          s.execute("GRANT SELECT ON " + index.sql() + " TO " + grantee);
        }
      }
    } else {
      replaceView(c, index, fresh);
    }

    BuildRegistry.markServing(c, fresh.id());
    if (current != null && current.id() != fresh.id()) {
      BuildRegistry.markPrevious(c, current.id(), options.coolDown());
    }
    BuildRegistry.setServing(c, index, fresh.id(), fresh.dimension());

    // versions: the target's become active; those it replaces are quarantined on a rollback, else previous
    if (options.keepVersionStatus()) {
      return new SwitchResult(fresh.id(), current == null ? null : current.id(), legacyTable, false, List.of(),
          lifted, List.of());
    }
    Set<String> replacedVersions = current == null ? Set.of() : versionsOf(current);
    Set<String> fromVersions = new LinkedHashSet<>(replacedVersions);
    fromVersions.removeAll(targetVersions);
    boolean rollback = !options.switchBack()
        && isRollback(c, index, fresh, replacedVersions, fromVersions, targetVersions);
    List<String> quarantined = new ArrayList<>();
    List<String> unregistered = new ArrayList<>();
    for (String v : targetVersions) {
      if (EmbeddingRegistry.find(c, v).isPresent()) {
        EmbeddingRegistry.setStatus(c, v, RegisteredVersion.ACTIVE, options.reason(), null);
      }
    }
    for (String v : fromVersions) {
      Optional<RegisteredVersion> registered = known(c, v, options.versions());
      if (registered.isEmpty()) {
        unregistered.add(v);
      } else if (rollback) {
        EmbeddingRegistry.setStatus(c, v, RegisteredVersion.QUARANTINED,
            "rolled back from in index " + index + ": " + options.reason(), fresh.id());
        quarantined.add(v);
      } else if (!registered.get().quarantined() || (options.switchBack() && current != null
          && java.util.Objects.equals(registered.get().quarantinedByBuild(), current.id()))) {
        EmbeddingRegistry.setStatus(c, v, RegisteredVersion.PREVIOUS, options.reason(), null);
      }
    }
    if (options.switchBack() && current != null) {
      // undo the quarantines set by the switch being undone (versions now served again are active already)
      for (RegisteredVersion r : EmbeddingRegistry.list(c)) {
        if (r.quarantined() && java.util.Objects.equals(r.quarantinedByBuild(), current.id())) {
          EmbeddingRegistry.setStatus(c, r.version().name(), RegisteredVersion.PREVIOUS,
              "quarantine lifted by switch-back: " + options.reason(), null);
          lifted.add(r.version().name());
        }
      }
    }
    return new SwitchResult(fresh.id(), current == null ? null : current.id(), legacyTable, rollback,
        quarantined, lifted, unregistered);
  }

  /**
   * A version as the registry knows it; a version found in a replaced relation that the registry does not know yet
   * but whose model is known here (a built-in model an application used on its own) is registered first, so that
   * it can be marked previous or quarantined like any other.
   */
  static Optional<RegisteredVersion> known(Connection c, String name, VersionCatalog versions) throws SQLException {
    Optional<RegisteredVersion> registered = EmbeddingRegistry.find(c, name);
    if (registered.isPresent()) {
      return registered;
    }
    Optional<EmbeddingVersion> pinned = versions.pinned(name);
    if (pinned.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(EmbeddingRegistry.ensure(c, pinned.get()));
  }

  /** The index's switches are serialised, also when its registry row does not exist yet. */
  static void lockIndex(Connection c, IndexName index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
      s.setString(1, "rollback-jobs vector index " + index);
      s.execute();
    }
    BuildRegistry.lockIndex(c, index);
  }

  private static void checkSwitchable(IndexName index, ServingState state, IndexBuild target, Options options) {
    if (!target.index().equals(index)) {
      throw new IllegalArgumentException("build " + target.id() + " belongs to index " + target.index());
    }
    String expected = options.switchBack() ? IndexBuild.PREVIOUS : IndexBuild.VALIDATED;
    if (!expected.equals(target.status()) && !IndexBuild.SERVING.equals(target.status())) {
      throw new BadInputException("build " + target.id() + " of " + index + " is " + target.status()
          + "; only a " + expected + " build can be switched to");
    }
    if (!state.problems().isEmpty()) {
      throw new BadInputException(String.join("; ", state.problems()));
    }
    if (state.dimension() != null && state.dimension() != target.dimension()) {
      throw new BadInputException("dimension mismatch: index " + index + " serves " + state.dimension()
          + "-dimensional vectors and build " + target.id() + " has " + target.dimension());
    }
    if (state.docIdType() != null && state.docIdType() != target.docIdType()) {
      throw new BadInputException("doc_id type mismatch: index " + index + " has " + state.docIdType().sql()
          + " ids and build " + target.id() + " has " + target.docIdType().sql());
    }
  }

  /**
   * A switch is a rollback when it replaces other versions by one the index served before: the replaced relation
   * holds it next to others (a mixed index), or an earlier build of the index served it, or it is marked previous.
   */
  static boolean isRollback(Connection c, IndexName index, IndexBuild target, Set<String> replacedVersions,
      Set<String> fromVersions, Set<String> targetVersions) throws SQLException {
    if (fromVersions.isEmpty()) {
      return false;
    }
    for (String v : targetVersions) {
      if (replacedVersions.contains(v)) {
        return true;
      }
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM rollback.index_builds WHERE index_schema = ?"
          + " AND index_name = ? AND id <> ? AND serving_since IS NOT NULL"
          + " AND ? = ANY (string_to_array(embedding_version, ','))")) {
        s.setString(1, index.schema());
        s.setString(2, index.name());
        s.setLong(3, target.id());
        s.setString(4, v);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            return true;
          }
        }
      }
      Optional<RegisteredVersion> registered = EmbeddingRegistry.find(c, v);
      if (registered.isPresent() && RegisteredVersion.PREVIOUS.equals(registered.get().status())) {
        return true;
      }
    }
    return false;
  }

  private static void replaceView(Connection c, IndexName index, IndexBuild build) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(viewSql(c, index, build));
      s.execute("COMMENT ON VIEW " + index.sql() + " IS " + SqlIdentifier.literal(ServingRelation.VIEW_COMMENT_PREFIX
          + " of index " + index + ": serves build " + build.id() + " (" + build.buildTable() + "); replaced by"
          + " rebuild-index"));
    }
  }

  /**
   * The view over a build. Columns that already have the view's type are selected as they are (so the planner
   * uses the build's ANN index through the view); a legacy table's columns are cast where they differ.
   */
  static String viewSql(Connection c, IndexName index, IndexBuild build) throws SQLException {
    Map<String, ServingRelation.Column> columns = ServingRelation.columns(c, oid(c, build));
    String embeddingType = "vector(" + build.dimension() + ")";
    String idType = build.docIdType().sql();
    return "CREATE OR REPLACE VIEW " + index.sql() + " AS SELECT "
        + column(columns, "doc_id", idType, idType) + ", "
        + column(columns, "embedding", embeddingType, embeddingType) + ", "
        + column(columns, "embedding_version", "text", "text") + ", "
        + column(columns, "source_snapshot", "bigint", "bigint") + ", "
        + column(columns, "content_hash", "text", "text") + ", "
        + build.id() + "::bigint AS build_id FROM " + build.tableSql();
  }

  private static String column(Map<String, ServingRelation.Column> columns, String name, String type, String cast) {
    ServingRelation.Column column = columns.get(name);
    if (column == null) {
      return "NULL::" + cast + " AS " + name;
    }
    if (column.type().equals(type) || (type.equals("text") && column.type().equals("text"))) {
      return name;
    }
    return name + "::" + cast + " AS " + name;
  }

  private static long oid(Connection c, IndexBuild build) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?)::oid")) {
      s.setString(1, build.tableSql());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        long oid = rs.getLong(1);
        if (rs.wasNull()) {
          throw new BadInputException("the table of build " + build.id() + " (" + build.tableSql() + ") does not exist");
        }
        return oid;
      }
    }
  }

  static Set<String> versionsOf(IndexBuild build) {
    Set<String> versions = new LinkedHashSet<>();
    if (build.embeddingVersion() != null) {
      for (String v : build.embeddingVersion().split(",")) {
        if (!v.isBlank()) {
          versions.add(v);
        }
      }
    }
    return versions;
  }

  private static Optional<IndexBuild> find(Connection c, long id) {
    try {
      return BuildRegistry.find(c, id);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
