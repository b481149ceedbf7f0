package org.rollbackjobs.iceberg.features;

/**
 * A pipeline that can run on the Spark engine of {@code recompute-features}: it gives the one Spark SQL query
 * that computes its output from the pinned source. YAML definitions get it from their definition (one
 * translation, no second definition to keep in step); a Java pipeline implements it to run on Spark, or is
 * refused there.
 *
 * <p>The query must return exactly the {@link FeaturePipeline#outputSchema() output columns}, by name and in
 * order, with the Spark types of their Iceberg types, and the same rows the pipeline's transform and aggregates
 * give (doubles may differ in the last bits: Spark sums without compensation).
 */
public interface SparkSqlPipeline {

  /**
   * @param relation the source to read, ready to follow {@code FROM}: the table pinned to the source snapshot
   *     ({@code `catalog`.`ns`.`table` VERSION AS OF 123})
   * @param context the pinned snapshot and its time (trailing windows end there)
   * @throws org.rollbackjobs.iceberg.BadInputException when this definition has no Spark translation (the
   *     message names what)
   */
  String sparkSql(String relation, PipelineContext context);
}
