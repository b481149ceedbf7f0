package org.rollbackjobs.iceberg.features.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.PipelineContext;
import org.rollbackjobs.iceberg.features.SparkSqlPipeline;

/**
 * What the translation to Spark SQL refuses, and how it quotes what a definition may contain. That the
 * translated queries give the embedded engine's rows is shown against a real Spark in the spark module
 * ({@code SparkEngineEqualityTest}).
 */
class SparkSqlTranslationTest {
  private static final PipelineContext CONTEXT = new PipelineContext("shop.txn", 7L, Instant.parse("2026-12-01T00:00:00Z"));

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "math:round(amount)                  | math:round",
      "math:random()                       | math:random",
      "-label                              | '-' on a string value",
      "label ? 1.0 : 2.0                   | a string value as a condition",
      "amount * label                      | '*' on a string value",
  })
  void constructsWithoutAnExactTranslationAreRefusedNamingThem(String expression, String named) {
    FeaturePipeline pipeline = YamlPipelines.parse("""
        name: probe
        version: "3"
        inputs: {customer_id: string, amount: double, label: string}
        columns:
          customer_id: customer_id
          value: {expr: "%s", type: double}
        """.formatted(expression), "test");
    assertThatThrownBy(() -> ((SparkSqlPipeline) pipeline).sparkSql("t", CONTEXT))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("pipeline probe version 3")
        .hasMessageContaining("columns.value")
        .hasMessageContaining(named)
        .hasMessageContaining("--engine embedded");
  }

  @Test
  void stringLiteralsAndColumnNamesAreQuoted() {
    FeaturePipeline pipeline = YamlPipelines.parse("""
        name: quoting
        version: "1"
        inputs: {"odd`name": string}
        columns:
          "out`put": {expr: '"it''s " + "a \\\\ b"', type: string}
        """, "test");
    String sql = ((SparkSqlPipeline) pipeline).sparkSql("t", CONTEXT);
    assertThat(sql).contains("`odd``name`").contains("AS `out``put`").contains("'it\\'s '").contains("'a \\\\ b'");
  }

  @Test
  void trailingWindowsEndAtTheSourceSnapshotsTime() {
    FeaturePipeline pipeline = YamlPipelines.parse("""
        name: trailing
        version: "1"
        inputs: {customer_id: string, amount: double, ts: timestamptz}
        time-column: ts
        group-by: [customer_id]
        aggregates:
          recent: {sum: amount, within: P1D}
        """, "test");
    String sql = ((SparkSqlPipeline) pipeline).sparkSql("t", CONTEXT);
    long asOf = Instant.parse("2026-12-01T00:00:00Z").getEpochSecond() * 1_000_000L;
    assertThat(sql).contains("> " + (asOf - 86_400_000_000L) + "L AND").contains("<= " + asOf + "L THEN");
  }
}
