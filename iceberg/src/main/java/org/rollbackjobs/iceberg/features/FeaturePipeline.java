package org.rollbackjobs.iceberg.features;

import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;

/**
 * A versioned feature pipeline: turns the rows of a source table into the rows of a feature table.
 *
 * <p>Two shapes: <b>per-key</b> (key columns non-empty: one output row per distinct key, the other output
 * columns are {@link #aggregates() aggregates}) and <b>row-wise</b> (no key columns: one output row per input
 * row that the transform keeps). Either way the row-wise part is a {@link RowTransform}.
 *
 * <p>A name and version identify one immutable definition: a changed definition must get a new version. The
 * {@link #definitionHash()} lets the suite's registry refuse a changed definition under a known version.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/org.rollbackjobs.iceberg.features.FeaturePipeline}; it needs a public no-argument
 * constructor) or, in the job application, as Spring beans. Several pipelines (for example YAML definitions
 * shipped in a JAR) can be supplied through a {@link FeaturePipelineProvider}.
 */
public interface FeaturePipeline {

  String name();

  String version();

  default String description() {
    return "";
  }

  /**
   * The source columns the pipeline reads, with the type it expects of each (field ids are ignored). The
   * transform receives them in this order. An int source column is accepted for a long input and a float for
   * a double (widened on read).
   */
  List<Types.NestedField> inputColumns();

  /**
   * The feature table's columns, key columns first and in {@link #keyColumns()} order. Field ids are ignored:
   * the feature table assigns its own.
   */
  Schema outputSchema();

  /** Names of the output columns that identify a row (the group-by keys); empty for a row-wise pipeline. */
  List<String> keyColumns();

  /**
   * For a per-key pipeline, the aggregate of each non-key output column, in output order (so
   * {@code aggregates().get(i)} computes output column {@code keyColumns().size() + i}). Empty for a row-wise
   * pipeline.
   */
  List<Aggregate<?>> aggregates();

  /** A transform for one worker thread (need not be thread-safe). */
  RowTransform newTransform(PipelineContext context);

  /**
   * Identifies this exact definition. The default covers the declared signature (name, version, class,
   * inputs, outputs, keys, aggregates); a Java pipeline whose behaviour can change without its signature
   * changing should override it (for example with a hash of its parameters).
   */
  default String definitionHash() {
    return PipelineHash.ofSignature(this);
  }

  /** Where the definition came from, for messages (class name, file, resource). */
  default String origin() {
    return "class " + getClass().getName();
  }

  default boolean isKeyed() {
    return !keyColumns().isEmpty();
  }
}
