package org.rollbackjobs.vector.verify;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.ServingRelation;
import org.rollbackjobs.vector.index.ServingState;

/**
 * What a manifest records for a vector index right now: the build its serving name reads and that build's lineage
 * (from the build registry), with the embedding versions actually found in its rows.
 *
 * @param buildId the build the serving view reads
 * @param buildTable {@code schema.table} of that build
 * @param buildKind {@code build}, or {@code legacy} for a table made outside the suite (no source lineage)
 * @param embeddingVersion the version the registry records for the build (for a legacy build, the versions found
 *     in it when it was registered, comma-separated)
 * @param mixedVersions whether the rows hold more than one embedding version (or another one than recorded)
 * @param versions rows per {@code embedding_version}, counted now
 * @param source the source the build was made from, e.g. the Iceberg table's name (null for a legacy build)
 * @param sourceSnapshot the source snapshot it was made from (null for a query source or a legacy build)
 * @param dimension the build's vector dimension
 * @param rows rows behind the serving name, counted now
 */
public record ServingPins(
    IndexName index,
    long buildId,
    String buildTable,
    String buildKind,
    String embeddingVersion,
    boolean mixedVersions,
    Map<String, Long> versions,
    String source,
    Long sourceSnapshot,
    int dimension,
    long rows) {

  public ServingPins {
    versions = versions == null ? Map.of() : new TreeMap<>(versions);
  }

  /**
   * The pins of {@code index} now. An index that does not serve a build (no such name, a table made outside the
   * suite, no serving build) is a {@link BadInputException} naming what it is.
   */
  public static ServingPins current(DataSource dataSource, IndexName index) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        return find(c, index).orElseThrow(() -> new BadInputException(notServing(c, index)));
      } finally {
        c.rollback();
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read what index " + index + " serves: " + e.getMessage(), e);
    }
  }

  /** The pins of {@code index} on the caller's connection, or empty when it serves no build. */
  public static Optional<ServingPins> find(Connection c, IndexName index) throws SQLException {
    ServingState state = ServingRelation.inspect(c, index);
    if (state.kind() != ServingState.Kind.MANAGED_VIEW || state.servingBuildId() == null
        || !state.problems().isEmpty()) {
      return Optional.empty();
    }
    List<ServingView.Table> tables = ServingView.readTables(c, index);
    Optional<IndexBuild> build = ServingView.buildRead(c, index, tables);
    if (build.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Long> versions = new LinkedHashMap<>();
    long rows = 0;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT embedding_version::text, count(*)"
        + " FROM " + index.sql() + " GROUP BY 1")) {
      while (rs.next()) {
        versions.put(rs.getString(1) == null ? "(null)" : rs.getString(1), rs.getLong(2));
        rows += rs.getLong(2);
      }
    }
    IndexBuild b = build.get();
    boolean mixed = versions.size() > 1
        || (versions.size() == 1 && !versions.containsKey(b.embeddingVersion()));
    return Optional.of(new ServingPins(index, b.id(), index.schema() + "." + b.buildTable(), b.kind(),
        b.embeddingVersion(), mixed, versions, b.legacy() ? null : b.source(), b.sourceSnapshot(), b.dimension(), rows));
  }

  private static String notServing(Connection c, IndexName index) {
    try {
      ServingState state = ServingRelation.inspect(c, index);
      return switch (state.kind()) {
        case NONE -> "index " + index + " does not exist (no relation " + index + ")";
        case TABLE -> "index " + index + " is a table made outside rollback-jobs: it serves no build to pin"
            + " (rebuild-index makes it a serving view over a build)";
        case OTHER -> "index " + index + " is not a serving view of rollback-jobs: " + String.join("; ", state.problems());
        default -> "index " + index + " serves no registered build (registry: " + state.servingBuildId()
            + "; the view reads " + ServingView.readTables(c, index).stream().map(ServingView.Table::qualified)
                .toList() + ")";
      };
    } catch (SQLException e) {
      return "index " + index + " serves no build";
    }
  }

  /** Kebab-case keys, for manifests. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("index", index.toString());
    map.put("build-id", buildId);
    map.put("build-table", buildTable);
    map.put("build-kind", buildKind);
    map.put("embedding-version", embeddingVersion);
    map.put("mixed-versions", mixedVersions);
    map.put("versions", versions);
    map.put("source", source);
    map.put("source-snapshot", sourceSnapshot);
    map.put("dimension", dimension);
    map.put("rows", rows);
    return map;
  }
}
