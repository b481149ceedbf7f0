package org.rollbackjobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.iceberg.features.examples.ExamplePipelines;
import org.rollbackjobs.spark.testing.SparkConnectTestServer;
import org.rollbackjobs.testing.TestPostgres;

/**
 * The configuration documented for a cluster, run on this machine: a Spark standalone master, a worker whose
 * executors are JVMs of their own, and a Spark Connect server whose driver runs the queries on them. The engine
 * is configured exactly as against a remote cluster (only {@code rollback.features.spark.remote}).
 */
class SparkStandaloneClusterTest {
  @TempDir static Path dir;

  private static SparkConnectTestServer cluster;
  private static Catalog catalog;
  private static Map<String, String> catalogProperties;
  private static long snapshot;

  @BeforeAll
  static void setUp() {
    cluster = SparkConnectTestServer.startStandalone(dir.resolve("cluster"));
    catalogProperties = TestPostgres.get().jdbcCatalogProperties(dir.resolve("warehouse"));
    catalog = CatalogLoader.load("spark_cluster_" + UUID.randomUUID().toString().substring(0, 8), catalogProperties);
    Table source = TxnSource.create(catalog, "shop.txn");
    snapshot = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 21L, 20_000, 500), 4);
  }

  @AfterAll
  static void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theExamplePipelinesGiveTheEmbeddedEnginesRowsOnAStandaloneCluster() throws Exception {
    SparkSettings settings = new SparkSettings(cluster.remote(), null, Map.of());
    for (FeaturePipeline pipeline : new ExamplePipelines().pipelines()) {
      Snapshot committed = EngineComparison.assertSparkGivesTheEmbeddedEnginesRows(catalog, catalogProperties,
          settings, pipeline, "shop.txn", snapshot);
      // a standalone application's id, not local mode's "local-..."
      assertThat(committed.summary().get("spark.app.id")).startsWith("app-");
    }
    try (Stream<Path> executors = Files.walk(dir.resolve("cluster").resolve("work"), 2)) {
      assertThat(executors.filter(p -> p.getFileName().toString().matches("\\d+"))).as("executor folders").isNotEmpty();
    }
  }
}
