package org.rollbackjobs.jobs.manifest;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Manifests in {@code rollback.manifests}: numbered, immutable (a trigger refuses changes), retired not deleted. */
@Repository
public class ManifestStore {
  private static final String COLUMNS = "id, system, created_at, actor, reason, system_file_sha256, inconsistent,"
      + " findings::text AS findings, job_execution_id, retired_at, retired_reason, content::text AS content";

  private final JdbcTemplate jdbc;

  public ManifestStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Reserves the next manifest id (tags named after the manifest are created before its row). */
  public long reserveId() {
    return jdbc.queryForObject("SELECT nextval(pg_get_serial_sequence('rollback.manifests', 'id'))", Long.class);
  }

  public long insertWithId(long id, String system, String actor, String reason, String systemFileSha256,
      boolean inconsistent, List<Map<String, Object>> findings, Long jobExecutionId, ManifestContent content) {
    jdbc.update("INSERT INTO rollback.manifests (id, system, actor, reason, system_file_sha256, inconsistent,"
            + " findings, job_execution_id, content) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb)",
        id, system, actor, reason, systemFileSha256, inconsistent, StoredJson.write(findings), jobExecutionId,
        StoredJson.write(content));
    return id;
  }

  public Optional<Manifest> find(long id) {
    return jdbc.query("SELECT " + COLUMNS + " FROM rollback.manifests WHERE id = ?", ManifestStore::map, id)
        .stream().findFirst();
  }

  /** The manifest, or bad input naming the manifests of the system that do exist. */
  public Manifest get(String system, long id) {
    Manifest manifest = find(id).orElseThrow(() -> new BadInputException("no manifest " + id
        + (system == null ? "" : " (manifests of " + system + ": " + ids(system) + ")")));
    if (system != null && !manifest.system().equals(system)) {
      throw new BadInputException("manifest " + id + " belongs to system " + manifest.system() + ", not " + system
          + " (manifests of " + system + ": " + ids(system) + ")");
    }
    return manifest;
  }

  /** The latest manifest of the system that is not retired. */
  public Optional<Manifest> latest(String system) {
    return jdbc.query("SELECT " + COLUMNS + " FROM rollback.manifests WHERE system = ? AND retired_at IS NULL"
        + " ORDER BY id DESC LIMIT 1", ManifestStore::map, system).stream().findFirst();
  }

  /** The given manifest, or the latest one of the system; bad input when there is none. */
  public Manifest pinned(String system, Long id) {
    if (id != null) {
      return get(system, id);
    }
    return latest(system).orElseThrow(() -> new BadInputException("system " + system + " has no manifest yet:"
        + " capture one with 'manifest capture --system " + system + " --reason TEXT'"));
  }

  /** The given manifest (bad input when unknown), else the latest one if there is any. */
  public Optional<Manifest> givenOrLatest(String system, Long id) {
    return id != null ? Optional.of(get(system, id)) : latest(system);
  }

  public List<Manifest> list(String system, int limit) {
    if (system == null) {
      return jdbc.query("SELECT " + COLUMNS + " FROM rollback.manifests ORDER BY id DESC LIMIT ?",
          ManifestStore::map, limit);
    }
    return jdbc.query("SELECT " + COLUMNS + " FROM rollback.manifests WHERE system = ? ORDER BY id DESC LIMIT ?",
        ManifestStore::map, system, limit);
  }

  /** Records the retirement; false when it was retired already. */
  public boolean retire(long id, String actor, String reason) {
    return jdbc.update("UPDATE rollback.manifests SET retired_at = now(), retired_by = ?, retired_reason = ?"
        + " WHERE id = ? AND retired_at IS NULL", actor, reason, id) == 1;
  }

  private String ids(String system) {
    List<Long> ids = jdbc.queryForList("SELECT id FROM rollback.manifests WHERE system = ? ORDER BY id DESC LIMIT 20",
        Long.class, system);
    return ids.isEmpty() ? "none" : ids.toString().replaceAll("[\\[\\]]", "");
  }

  private static Manifest map(ResultSet rs, int row) throws SQLException {
    return new Manifest(rs.getLong("id"), rs.getString("system"), rs.getTimestamp("created_at").toInstant(),
          rs.getString("actor"), rs.getString("reason"), rs.getString("system_file_sha256"),
          rs.getBoolean("inconsistent"),
          StoredJson.read(rs.getString("findings"), new TypeReference<List<Map<String, Object>>>() {}),
          (Long) rs.getObject("job_execution_id"), instant(rs.getTimestamp("retired_at")),
          rs.getString("retired_reason"), StoredJson.read(rs.getString("content"), ManifestContent.class));
  }

  private static java.time.Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
