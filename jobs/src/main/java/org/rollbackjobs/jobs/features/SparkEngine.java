package org.rollbackjobs.jobs.features;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.config.IcebergCatalogProperties;
import org.rollbackjobs.spark.SparkFeatureRecompute;
import org.rollbackjobs.spark.SparkSettings;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The Spark engine as the jobs use it: the settings of {@code rollback.features.spark.*} and the job's own catalog
 * settings, handed to {@link SparkFeatureRecompute}. No method signature here names a Spark type, so that
 * the Spark Connect client is loaded only when a recompute runs on Spark.
 */
@Component
class SparkEngine {
  /** What a Spark recompute committed. */
  record Outcome(long snapshotId, boolean alreadyCommitted, long rowsWritten, int dataFiles) {}

  private final FeatureRecomputeProperties properties;
  private final IcebergCatalogProperties catalogProperties;
  private final ObjectProvider<Catalog> catalog;
  private final String datasourceUrl;
  private final String datasourceUser;
  private final String datasourcePassword;

  SparkEngine(FeatureRecomputeProperties properties, IcebergCatalogProperties catalogProperties,
      ObjectProvider<Catalog> catalog,
      @Value("${spring.datasource.url}") String datasourceUrl,
      @Value("${spring.datasource.username:}") String datasourceUser,
      @Value("${spring.datasource.password:}") String datasourcePassword) {
    this.properties = properties;
    this.catalogProperties = catalogProperties;
    this.catalog = catalog;
    this.datasourceUrl = datasourceUrl;
    this.datasourceUser = datasourceUser;
    this.datasourcePassword = datasourcePassword;
  }

  /**
   * Before launch: the settings are complete and the pipeline has a Spark translation; a {@code BadInputException}
   * naming the property or the pipeline otherwise. Contacts nothing.
   */
  void check(FeaturePipeline pipeline, RecomputePlan plan) {
    SparkSettings settings = settings().validated();
    SparkFeatureRecompute.query(pipeline, plan,
        settings.catalog() != null ? settings.catalog() : catalogProperties.catalogName());
  }

  /** The query this recompute runs on Spark (for a dry run). */
  String query(FeaturePipeline pipeline, RecomputePlan plan) {
    SparkSettings settings = settings();
    return SparkFeatureRecompute.query(pipeline, plan,
        settings.catalog() != null ? settings.catalog() : catalogProperties.catalogName());
  }

  /**
   * Runs the recompute on Spark and commits. While it runs, the JVM's shutdown (SIGTERM, Ctrl-C) interrupts the
   * Spark query, which a Spark Connect server would otherwise keep running for minutes after its client is gone.
   *
   * @param progress told "Spark stages 1/2, tasks 3/8" style lines
   */
  Outcome run(FeaturePipeline pipeline, RecomputePlan plan, Map<String, String> summary, Consumer<String> progress) {
    SparkFeatureRecompute recompute = SparkFeatureRecompute.of(catalog.getObject(),
            catalogProperties.resolve(datasourceUrl, datasourceUser, datasourcePassword), settings())
        .pipeline(pipeline)
        .plan(plan)
        .progress(p -> progress.accept(p.toString()));
    summary.forEach(recompute::set);
    Thread interrupt = new Thread(recompute::cancel, "spark-recompute-interrupt-" + plan.runId());
    Runtime.getRuntime().addShutdownHook(interrupt);
    try {
      SparkFeatureRecompute.Result result = recompute.commit();
      return new Outcome(result.snapshotId(), result.alreadyCommitted(), result.rowsWritten(), result.dataFiles());
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(interrupt);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran): nothing to remove
      }
    }
  }

  private SparkSettings settings() {
    FeatureRecomputeProperties.Spark spark = properties.spark();
    return new SparkSettings(spark.remote(), spark.catalog(), spark.conf());
  }
}
