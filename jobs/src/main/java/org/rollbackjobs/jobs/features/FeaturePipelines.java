package org.rollbackjobs.jobs.features;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.PipelineCatalog;
import org.rollbackjobs.iceberg.features.yaml.YamlPipelines;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Every feature pipeline a run can use: Java pipelines and providers found with ServiceLoader, Spring beans
 * implementing {@link FeaturePipeline}, YAML definitions under {@code feature-pipelines/} on the class path
 * (any JAR), the folder {@code rollback.features.pipelines}, and the folder given with {@code --pipelines}.
 */
@Component
public class FeaturePipelines {
  static final String CLASSPATH_YAML = "classpath*:feature-pipelines/*.y*ml";

  private final ObjectProvider<FeaturePipeline> beans;
  private final FeatureRecomputeProperties properties;

  public FeaturePipelines(ObjectProvider<FeaturePipeline> beans, FeatureRecomputeProperties properties) {
    this.beans = beans;
    this.properties = properties;
  }

  public PipelineCatalog catalog(Path directory) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    PipelineCatalog.Builder builder = PipelineCatalog.builder().serviceLoader(loader);
    beans.orderedStream().forEach(builder::add);
    builder.addAll(classpathYaml(loader));
    if (properties.pipelines() != null) {
      builder.directory(properties.pipelines());
    }
    if (directory != null) {
      builder.directory(directory);
    }
    return builder.build();
  }

  private static List<FeaturePipeline> classpathYaml(ClassLoader loader) {
    List<FeaturePipeline> pipelines = new ArrayList<>();
    try {
      for (Resource resource : new PathMatchingResourcePatternResolver(loader).getResources(CLASSPATH_YAML)) {
        pipelines.add(YamlPipelines.load(resource.getURL()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + CLASSPATH_YAML + ": " + e.getMessage(), e);
    }
    return pipelines;
  }
}
