package org.rollbackjobs.iceberg.features;

import java.util.Collection;

/**
 * Supplies several feature pipelines at once, for example the YAML definitions shipped inside a JAR. Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/org.rollbackjobs.iceberg.features.FeaturePipelineProvider}).
 */
public interface FeaturePipelineProvider {
  Collection<FeaturePipeline> pipelines();
}
