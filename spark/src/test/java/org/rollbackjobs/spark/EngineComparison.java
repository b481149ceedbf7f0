package org.rollbackjobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.RecomputeResult;

/** Runs a pipeline on both engines over one pinned snapshot and requires the same result. */
final class EngineComparison {
  private EngineComparison() {}

  /**
   * Embedded into {@code features.embedded_NAME_VERSION}, Spark into {@code features.spark_NAME_VERSION}: rows equal
   * (doubles within 1e-9 relative), schemas equal, lineage keys equal plus {@code rollback.engine=spark}, progress
   * reported, and the same plan run again finds its commit. Returns the Spark commit.
   */
  static Snapshot assertSparkGivesTheEmbeddedEnginesRows(Catalog catalog, Map<String, String> catalogProperties,
      SparkSettings settings, FeaturePipeline pipeline, String source, long snapshot) {
    String suffix = pipeline.name() + "_" + pipeline.version();
    RecomputeResult embedded = RecomputeFeatures.of(catalog).pipeline(pipeline)
        .source(source).sourceSnapshot(snapshot).target("features.embedded_" + suffix)
        .set(FeatureLineage.REASON, "equality test").commit();

    RecomputePlan plan = RecomputeFeatures.of(catalog).pipeline(pipeline)
        .source(source).sourceSnapshot(snapshot).target("features.spark_" + suffix).plan();
    List<SparkProgress> progress = new ArrayList<>();
    SparkFeatureRecompute.Result spark = SparkFeatureRecompute.of(catalog, catalogProperties, settings)
        .pipeline(pipeline).plan(plan).set(FeatureLineage.REASON, "equality test").progress(progress::add)
        .commit();

    Table embeddedTable = catalog.loadTable(TableIdentifier.parse("features.embedded_" + suffix));
    Table sparkTable = catalog.loadTable(TableIdentifier.parse("features.spark_" + suffix));
    int columns = pipeline.outputSchema().columns().size();
    List<List<Object>> expected = ExpectedFeatures.actual(embeddedTable, columns);
    List<List<Object>> actual = ExpectedFeatures.actual(sparkTable, columns);
    assertThat(expected).as("the embedded engine's rows").isNotEmpty();
    ExpectedFeatures.assertSameRows(actual, expected);
    assertThat(spark.rowsWritten()).isEqualTo(expected.size());
    assertThat(spark.alreadyCommitted()).isFalse();
    assertThat(progress).as("progress reports of the Spark query").isNotEmpty()
        .allSatisfy(p -> assertThat(p.tasksDone()).isBetween(0L, p.tasks()));
    assertThat(sparkTable.schema().asStruct()).isEqualTo(embeddedTable.schema().asStruct());

    Snapshot e = embeddedTable.snapshot(embedded.snapshotId());
    Snapshot s = sparkTable.currentSnapshot();
    assertThat(s.snapshotId()).isEqualTo(spark.snapshotId());
    for (String key : List.of(FeatureLineage.OPERATION, FeatureLineage.SOURCE_TABLE, FeatureLineage.SOURCE_SNAPSHOT,
        FeatureLineage.PIPELINE, FeatureLineage.PIPELINE_VERSION, FeatureLineage.PIPELINE_HASH, FeatureLineage.REASON)) {
      assertThat(s.summary().get(key)).as(key).isNotNull().isEqualTo(e.summary().get(key));
    }
    assertThat(s.summary()).containsEntry(FeatureLineage.ENGINE, FeatureLineage.ENGINE_SPARK)
        .containsEntry(FeatureLineage.RUN_ID, plan.runId())
        .containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(snapshot));
    assertThat(e.summary()).doesNotContainKey(FeatureLineage.ENGINE);

    // the same plan again (a restart after Spark committed): found, not committed twice
    SparkFeatureRecompute.Result again = SparkFeatureRecompute.of(catalog, catalogProperties, settings)
        .pipeline(pipeline).plan(plan).commit();
    assertThat(again.alreadyCommitted()).isTrue();
    assertThat(again.snapshotId()).isEqualTo(spark.snapshotId());
    sparkTable.refresh();
    assertThat(sparkTable.currentSnapshot().snapshotId()).isEqualTo(spark.snapshotId());
    return s;
  }
}
