package org.rollbackjobs.jobs.features;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The pipeline versions the suite knows ({@code rollback.feature_pipelines}): each name and version with the
 * content hash of its definition, recorded the first time it is used. A different definition under a known
 * version is refused, because versions are immutable.
 */
@Repository
public class PipelineRegistry {
  /** One registered version. */
  public record Registered(String name, String version, String definitionHash, String origin, String registeredAt,
      String registeredBy) {}

  private final JdbcTemplate jdbc;

  public PipelineRegistry(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<Registered> find(String name, String version) {
    return jdbc.query("SELECT name, version, definition_hash, origin, registered_at::text, registered_by"
            + " FROM rollback.feature_pipelines WHERE name = ? AND version = ?",
        (rs, row) -> new Registered(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6)), name, version).stream().findFirst();
  }

  public List<Registered> all() {
    return jdbc.query("SELECT name, version, definition_hash, origin, registered_at::text, registered_by"
            + " FROM rollback.feature_pipelines ORDER BY name, registered_at",
        (rs, row) -> new Registered(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getString(6)));
  }

  /** Refuses a definition that differs from the one registered under its name and version. Changes nothing. */
  public void check(FeaturePipeline pipeline) {
    find(pipeline.name(), pipeline.version()).ifPresent(registered -> {
      if (!registered.definitionHash().equals(pipeline.definitionHash())) {
        throw new BadInputException("pipeline " + pipeline.name() + " version " + pipeline.version()
            + " was registered on " + registered.registeredAt() + " from " + registered.origin() + " with definition "
            + registered.definitionHash() + ", but the definition found now (" + pipeline.origin() + ") is "
            + pipeline.definitionHash() + ". Versions are immutable: give the changed definition a new version");
      }
    });
  }

  /** Records the version if it is new (concurrent runs agree through the primary key), then checks it. */
  public void register(FeaturePipeline pipeline, String actor) {
    jdbc.update("INSERT INTO rollback.feature_pipelines (name, version, definition_hash, origin, description,"
            + " input_columns, output_columns, key_columns, registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (name, version) DO NOTHING",
        pipeline.name(), pipeline.version(), pipeline.definitionHash(), pipeline.origin(), pipeline.description(),
        columns(pipeline.inputColumns()), columns(pipeline.outputSchema().columns()),
        String.join(", ", pipeline.keyColumns()), actor);
    check(pipeline);
  }

  private static String columns(List<Types.NestedField> fields) {
    return fields.stream().map(f -> f.name() + " " + f.type()).collect(Collectors.joining(", "));
  }
}
