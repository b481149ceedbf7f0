package org.rollbackjobs.iceberg.features.examples;

import java.util.List;
import java.util.Locale;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.PipelineContext;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.SparkSqlPipeline;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.aggregate.Aggregates;

/**
 * A pipeline written in Java (found with ServiceLoader): spend per customer and category, over the same source
 * as {@code customer_txn_features}. The row-wise part normalises categories (trimmed, lower case, missing ones
 * as {@code unknown}) and drops rows without an amount.
 */
public class CustomerCategorySpendPipeline implements FeaturePipeline, SparkSqlPipeline {
  // input positions, in inputColumns() order
  private static final int CUSTOMER = 0;
  private static final int CATEGORY = 1;
  private static final int AMOUNT = 2;
  private static final int TS = 3;

  @Override
  public String name() {
    return "customer_category_spend";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public String description() {
    return "spend per customer and normalised category: transactions, total amount, latest transaction time";
  }

  @Override
  public List<Types.NestedField> inputColumns() {
    return List.of(
        Types.NestedField.optional(1, "customer_id", Types.StringType.get()),
        Types.NestedField.optional(2, "category", Types.StringType.get()),
        Types.NestedField.optional(3, "amount", Types.DoubleType.get()),
        Types.NestedField.optional(4, "ts", Types.TimestampType.withZone()));
  }

  @Override
  public Schema outputSchema() {
    return new Schema(
        Types.NestedField.optional(1, "customer_id", Types.StringType.get()),
        Types.NestedField.optional(2, "category", Types.StringType.get()),
        Types.NestedField.optional(3, "txn_count", Types.LongType.get()),
        Types.NestedField.optional(4, "amount_sum", Types.DoubleType.get()),
        Types.NestedField.optional(5, "last_txn_at", Types.TimestampType.withZone()));
  }

  @Override
  public List<String> keyColumns() {
    return List.of("customer_id", "category");
  }

  @Override
  public List<Aggregate<?>> aggregates() {
    return List.of(
        Aggregates.count(),
        Aggregates.sum(Types.DoubleType.get()),
        Aggregates.max(Types.TimestampType.withZone()));
  }

  /**
   * The same computation for the Spark engine, by hand: a Java pipeline that should run on Spark says how.
   * String.trim removes every character up to U+0020, Spark's trim only spaces; hence the regular expression.
   */
  @Override
  public String sparkSql(String relation, PipelineContext context) {
    String trimmed = "regexp_replace(category, '^[\\\\x00-\\\\x20]+|[\\\\x00-\\\\x20]+$', '')";
    return "SELECT customer_id, category, count(*) AS txn_count, sum(amount) AS amount_sum, max(ts) AS last_txn_at"
        + " FROM (SELECT customer_id, CASE WHEN category IS NULL OR " + trimmed + " = '' THEN 'unknown'"
        + " ELSE lower(" + trimmed + ") END AS category, amount, ts FROM " + relation + " WHERE amount IS NOT NULL)"
        + " AS normalised GROUP BY customer_id, category";
  }

  @Override
  public RowTransform newTransform(PipelineContext context) {
    return (in, out) -> {
      Double amount = in.get(AMOUNT, Double.class);
      if (amount == null) {
        return false;
      }
      String category = in.get(CATEGORY, String.class);
      out[0] = in.get(CUSTOMER, String.class);
      out[1] = category == null || category.isBlank() ? "unknown" : category.trim().toLowerCase(Locale.ROOT);
      out[2] = Aggregates.ROW;
      out[3] = amount;
      out[4] = in.get(TS, Object.class);
      return true;
    };
  }
}
