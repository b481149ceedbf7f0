package org.rollbackjobs.iceberg.features.examples;

import java.net.URL;
import java.util.Collection;
import java.util.List;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.FeaturePipelineProvider;
import org.rollbackjobs.iceberg.features.yaml.YamlPipelines;

/**
 * The example YAML pipelines shipped with the suite (resources next to this class), found with ServiceLoader
 * like any pipeline JAR's provider:
 *
 * <ul>
 *   <li>{@code customer_txn_features} 1 and 2: per-customer transaction features (2 caps amounts in the mean at
 *       10000.0 and adds the uncapped max and the number of distinct categories);
 *   <li>{@code customer_daily_spend} 1: per customer and day (tumbling window), with 30-day trailing totals;
 *   <li>{@code txn_amount_flags} 1: row-wise, one output row per transaction.
 * </ul>
 *
 * The Java example is {@link CustomerCategorySpendPipeline}.
 */
public final class ExamplePipelines implements FeaturePipelineProvider {
  static final List<String> RESOURCES = List.of(
      "customer_txn_features-1.yaml",
      "customer_txn_features-2.yaml",
      "customer_daily_spend-1.yaml",
      "txn_amount_flags-1.yaml");

  @Override
  public Collection<FeaturePipeline> pipelines() {
    return RESOURCES.stream().map(ExamplePipelines::load).toList();
  }

  private static FeaturePipeline load(String name) {
    URL resource = ExamplePipelines.class.getResource(name);
    if (resource == null) {
      throw new IllegalStateException("example pipeline " + name + " is missing from the class path");
    }
    return YamlPipelines.load(resource);
  }
}
