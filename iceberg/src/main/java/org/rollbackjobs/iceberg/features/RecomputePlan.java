package org.rollbackjobs.iceberg.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;

/**
 * What a recompute will do, decided before anything is written: the pinned source snapshot and pipeline
 * version, the feature table's schema (with the field ids its data files are written with), how the source
 * is split into map partitions and the keys into reduce buckets. Serialisable to JSON so that a job keeps the
 * same plan across a restart.
 *
 * @param runId identifies this recompute; its commit carries it
 * @param sourceTable the source as {@code NS.TABLE}
 * @param sourceProjection JSON schema of the source columns read, in the pipeline's input order
 * @param targetSchema JSON schema of the feature table after the commit (data files are written with it)
 * @param targetCurrentSnapshotId the feature table's current snapshot when planned (null: none or no table)
 * @param targetProperties table properties of a feature table created by the commit
 * @param schemaChanges human-readable changes to the feature table's schema
 * @param upToDate the feature table already holds this pipeline version's output for this source snapshot
 * @param rows record count of the source files (before delete files are applied)
 * @param buckets reduce buckets (0 for a row-wise pipeline)
 * @param targetBranch the feature table's branch the commit goes to (null: main)
 */
public record RecomputePlan(
    String runId,
    String sourceTable,
    long sourceSnapshotId,
    long sourceSnapshotMillis,
    String sourceProjection,
    String pipeline,
    String pipelineVersion,
    String pipelineHash,
    String pipelineOrigin,
    boolean keyed,
    String targetTable,
    boolean targetExists,
    Long targetCurrentSnapshotId,
    String targetLocation,
    String targetSchema,
    Map<String, String> targetProperties,
    List<String> schemaChanges,
    boolean upToDate,
    int files,
    int splits,
    long rows,
    int deleteFiles,
    long splitSize,
    int partitions,
    int buckets,
    String targetBranch) {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  public Instant sourceSnapshotTime() {
    return Instant.ofEpochMilli(sourceSnapshotMillis);
  }

  public PipelineContext context() {
    return new PipelineContext(sourceTable, sourceSnapshotId, sourceSnapshotTime());
  }

  public Schema projection() {
    return SchemaParser.fromJson(sourceProjection);
  }

  public Schema outputSchema() {
    return SchemaParser.fromJson(targetSchema);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a recompute plan", e);
    }
  }

  public static RecomputePlan fromJson(String json) {
    try {
      return JSON.readValue(json, RecomputePlan.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot read a recompute plan: " + e.getMessage(), e);
    }
  }
}
