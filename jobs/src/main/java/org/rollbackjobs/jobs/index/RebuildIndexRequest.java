package org.rollbackjobs.jobs.index;

import java.time.Duration;
import java.util.UUID;
import org.rollbackjobs.jobs.config.VectorProperties;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.vector.index.AnnMethod;
import org.rollbackjobs.vector.index.AnnSpec;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.ProbeSettings;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/**
 * A rebuild as the job receives it; travels as job parameters so that a restart repeats exactly the same request.
 * The service pins the source snapshot (and the stored-embeddings snapshot) before the job starts, so a restart
 * reads the same documents even if the table moved on.
 *
 * @param sourceTable Iceberg table {@code NS.TABLE}, or null when {@code sourceQuery} is given
 * @param sourceQuery a PostgreSQL SELECT, or null
 * @param storedEmbeddings an Iceberg table of precomputed vectors, or null to embed with the version's model
 * @param noReuse embed every document, even those whose vector of this version is in the embedding cache
 */
public record RebuildIndexRequest(
    String schema,
    String index,
    String embedding,
    String sourceTable,
    Long sourceSnapshot,
    String sourceQuery,
    String idColumn,
    String textColumn,
    String storedEmbeddings,
    Long storedSnapshot,
    AnnSpec ann,
    ProbeSettings probe,
    Duration coolDown,
    int chunkSize,
    boolean create,
    boolean overrideQuarantine,
    boolean force,
    String reason,
    String actor,
    boolean noReuse) {

  static final String INDEX = "index";
  static final String RUN_ID = "run.id";

  /**
   * The rebuild of a system's index at a pinned embedding version and source snapshot with the configured
   * defaults, creating the serving name if missing: what a rollback (and a drill's sandbox) runs.
   */
  public static RebuildIndexRequest pinned(IndexSpec spec, String embedding, long sourceSnapshot,
      VectorProperties vector, boolean force, boolean overrideQuarantine, String reason, String actor) {
    return new RebuildIndexRequest(spec.schema(), spec.name(), embedding, spec.source(), sourceSnapshot, null,
        spec.idColumn(), spec.textColumn(), null, null, vector.defaultAnn(), vector.defaultProbe(),
        vector.coolDown(), vector.chunkSize(), true, overrideQuarantine, force, reason, actor, false);
  }

  public IndexName indexName() {
    return IndexName.of(schema, index);
  }

  /** {@code schema.index}, the audit subject. */
  public String subject() {
    return indexName().toString();
  }

  public RebuildIndexRequest withSnapshots(Long source, Long stored) {
    return new RebuildIndexRequest(schema, index, embedding, sourceTable, source, sourceQuery, idColumn, textColumn,
        storedEmbeddings, stored, ann, probe, coolDown, chunkSize, create, overrideQuarantine, force, reason, actor,
        noReuse);
  }

  /** Whether the build takes cached vectors: unless told not to, and never for stored embeddings. */
  public boolean reuse() {
    return !noReuse && storedEmbeddings == null;
  }

  /** What the audit log records of this request before it runs. */
  public Attempt attempt() {
    return new Attempt("rebuild-index", subject(), actor, reason);
  }

  public JobParameters toJobParameters() {
    JobParametersBuilder params = new JobParametersBuilder()
        .addString(INDEX, subject())
        // every request is a new job instance; a restart reuses the failed execution's parameters
        .addString(RUN_ID, UUID.randomUUID().toString())
        .addString("schema", schema, false)
        .addString("index-name", index, false)
        .addString("embedding", embedding, false)
        .addString("id-column", idColumn, false)
        .addString("text-column", textColumn, false)
        .addString("ann", ann.method().sql(), false)
        .addLong("hnsw-m", (long) ann.m(), false)
        .addLong("hnsw-ef-construction", (long) ann.efConstruction(), false)
        .addLong("ivfflat-lists", (long) ann.lists(), false)
        .addLong("parallel-workers", (long) ann.parallelWorkers(), false)
        .addLong("ef-search", (long) ann.efSearch(), false)
        .addLong("ivfflat-probes", (long) ann.probes(), false)
        .addDouble("recall-floor", probe.recallFloor(), false)
        .addLong("recall-sample", (long) probe.sampleSize(), false)
        .addLong("recall-k", (long) probe.k(), false)
        .addLong("cool-down-seconds", coolDown.toSeconds(), false)
        .addLong("chunk-size", (long) chunkSize, false)
        .addString("create", Boolean.toString(create), false)
        .addString("override-quarantine", Boolean.toString(overrideQuarantine), false)
        .addString("force", Boolean.toString(force), false)
        .addString("no-reuse", Boolean.toString(noReuse), false);
    optional(params, "source-table", sourceTable);
    optional(params, "source-query", sourceQuery);
    optional(params, "stored-embeddings", storedEmbeddings);
    optional(params, "maintenance-work-mem", ann.maintenanceWorkMem());
    optional(params, "reason", reason);
    optional(params, "actor", actor);
    if (sourceSnapshot != null) {
      params.addLong("source-snapshot", sourceSnapshot, false);
    }
    if (storedSnapshot != null) {
      params.addLong("stored-snapshot", storedSnapshot, false);
    }
    return params.toJobParameters();
  }

  private static void optional(JobParametersBuilder params, String key, String value) {
    if (value != null) {
      params.addString(key, value, false);
    }
  }

  public static RebuildIndexRequest fromJobParameters(JobParameters p) {
    AnnSpec ann = new AnnSpec(AnnMethod.parse(p.getString("ann")), p.getLong("hnsw-m").intValue(),
        p.getLong("hnsw-ef-construction").intValue(), p.getLong("ivfflat-lists").intValue(),
        p.getString("maintenance-work-mem"), p.getLong("parallel-workers").intValue(),
        p.getLong("ef-search").intValue(), p.getLong("ivfflat-probes").intValue());
    ProbeSettings probe = new ProbeSettings(p.getDouble("recall-floor"), p.getLong("recall-sample").intValue(),
        p.getLong("recall-k").intValue());
    return new RebuildIndexRequest(p.getString("schema"), p.getString("index-name"), p.getString("embedding"),
        p.getString("source-table"), p.getLong("source-snapshot"), p.getString("source-query"),
        p.getString("id-column"), p.getString("text-column"), p.getString("stored-embeddings"),
        p.getLong("stored-snapshot"), ann, probe, Duration.ofSeconds(p.getLong("cool-down-seconds")),
        p.getLong("chunk-size").intValue(), Boolean.parseBoolean(p.getString("create")),
        Boolean.parseBoolean(p.getString("override-quarantine")), Boolean.parseBoolean(p.getString("force")),
        p.getString("reason"), p.getString("actor"), Boolean.parseBoolean(p.getString("no-reuse")));
  }
}
