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
  /** The class path does not change while the application runs: found once (a scan of the JAR is not free). */
  private volatile List<FeaturePipeline> classpath;

  public FeaturePipelines(ObjectProvider<FeaturePipeline> beans, FeatureRecomputeProperties properties) {
    this.beans = beans;
    this.properties = properties;
  }

  /** The pipelines known now; folders are read again on every call, so that an edited definition is seen. */
  public PipelineCatalog catalog(Path directory) {
    PipelineCatalog.Builder builder = PipelineCatalog.builder().addAll(classpathPipelines());
    if (properties.pipelines() != null) {
      builder.directory(properties.pipelines());
    }
    if (directory != null) {
      builder.directory(directory);
    }
    return builder.build();
  }

  private List<FeaturePipeline> classpathPipelines() {
    List<FeaturePipeline> found = classpath;
    if (found == null) {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      List<FeaturePipeline> all = new ArrayList<>(PipelineCatalog.serviceLoaded(loader));
      beans.orderedStream().forEach(all::add);
      all.addAll(classpathYaml(loader));
      classpath = found = List.copyOf(all);
    }
    return found;
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
