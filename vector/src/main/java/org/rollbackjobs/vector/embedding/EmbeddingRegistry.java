package org.rollbackjobs.vector.embedding;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * The embedding versions known to the suite ({@code rollback.embedding_versions}) and their status. A name is
 * bound to one pin forever: registering a name again with another pin is refused. Methods take the caller's
 * connection so that status changes commit together with the switch they belong to.
 */
public final class EmbeddingRegistry {
  private static final String COLUMNS = "name, provider, model, artifact_sha256, revision, dimension, normalization,"
      + " distance, status, status_reason, status_changed_at, quarantined_by_build, registered_at";

  private EmbeddingRegistry() {}

  public static Optional<RegisteredVersion> find(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM rollback.embedding_versions WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    }
  }

  public static List<RegisteredVersion> list(Connection c) throws SQLException {
    List<RegisteredVersion> versions = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM rollback.embedding_versions ORDER BY name");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        versions.add(map(rs));
      }
    }
    return versions;
  }

  /** Registers {@code version} when its name is new; refuses a known name with another pin. */
  public static RegisteredVersion ensure(Connection c, EmbeddingVersion version) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO rollback.embedding_versions (name, provider, model,"
        + " artifact_sha256, revision, dimension, normalization, distance) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (name) DO NOTHING")) {
      s.setString(1, version.name());
      s.setString(2, version.provider());
      s.setString(3, version.model());
      s.setString(4, version.artifactSha256());
      s.setString(5, version.revision());
      s.setInt(6, version.dimension());
      s.setString(7, version.normalization().label());
      s.setString(8, version.distance().label());
      s.executeUpdate();
    }
    RegisteredVersion registered = find(c, version.name()).orElseThrow();
    checkSamePin(registered.version(), version);
    return registered;
  }

  /** A registered name must mean the pin it was registered with. */
  public static void checkSamePin(EmbeddingVersion registered, EmbeddingVersion given) {
    if (!registered.equals(given)) {
      throw new BadInputException("embedding version '" + given.name() + "' is registered as "
          + registered.describe() + " but what is available here is " + given.describe()
          + "; a version name always means one pinned model: register the new model under a new name");
    }
  }

  public static void setStatus(Connection c, String name, String status, String reason, Long buildId)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE rollback.embedding_versions SET status = ?,"
        + " status_reason = ?, status_changed_at = now(), quarantined_by_build = ? WHERE name = ?")) {
      s.setString(1, status);
      s.setString(2, reason);
      if (RegisteredVersion.QUARANTINED.equals(status)) {
        s.setObject(3, buildId);
      } else {
        s.setObject(3, null);
      }
      s.setString(4, name);
      s.executeUpdate();
    }
  }

  private static RegisteredVersion map(ResultSet rs) throws SQLException {
    EmbeddingVersion version = new EmbeddingVersion(
        rs.getString("name"), rs.getString("provider"), rs.getString("model"), rs.getString("artifact_sha256"),
        rs.getString("revision"), rs.getInt("dimension"), Normalization.parse(rs.getString("normalization")),
        Distance.parse(rs.getString("distance")));
    return new RegisteredVersion(version, rs.getString("status"), rs.getString("status_reason"),
        instant(rs.getTimestamp("status_changed_at")), rs.getObject("quarantined_by_build", Long.class),
        instant(rs.getTimestamp("registered_at")));
  }

  private static java.time.Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
