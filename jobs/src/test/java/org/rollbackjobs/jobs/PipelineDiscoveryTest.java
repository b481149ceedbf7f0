package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.PipelineContext;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.aggregate.Aggregates;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Pipelines from a Spring bean, from YAML on the class path, and from ServiceLoader, side by side. */
class PipelineDiscoveryTest extends CliHarness {

  /** A Java pipeline declared as a Spring bean: rows per customer with a large amount. */
  @TestConfiguration
  static class BeanPipeline {
    @Bean
    FeaturePipeline largeTransactions() {
      return new FeaturePipeline() {
        @Override
        public String name() {
          return "customer_large_txn";
        }

        @Override
        public String version() {
          return "1";
        }

        @Override
        public List<Types.NestedField> inputColumns() {
          return List.of(Types.NestedField.optional(1, "customer_id", Types.StringType.get()),
              Types.NestedField.optional(2, "amount", Types.DoubleType.get()));
        }

        @Override
        public Schema outputSchema() {
          return new Schema(Types.NestedField.optional(1, "customer_id", Types.StringType.get()),
              Types.NestedField.optional(2, "large_txn_count", Types.LongType.get()));
        }

        @Override
        public List<String> keyColumns() {
          return List.of("customer_id");
        }

        @Override
        public List<Aggregate<?>> aggregates() {
          return List.of(Aggregates.count());
        }

        @Override
        public RowTransform newTransform(PipelineContext context) {
          return (in, out) -> {
            Double amount = in.get(1, Double.class);
            out[0] = in.get(0, String.class);
            out[1] = amount != null && amount >= 10_000.0 ? Aggregates.ROW : RowTransform.SKIP;
            return true;
          };
        }
      };
    }
  }

  @Test
  void beanClasspathYamlAndServiceLoaderPipelinesAreAllUsable() {
    Table source = TxnSource.create(catalog, "discovery.txn");
    TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 5, 2_000, 50), 2);
    List<Record> rows = TxnSource.read(source, null);

    for (String[] pipeline : new String[][] {
        {"customer_large_txn", "1"}, {"customer_amount_range", "1"}, {"customer_category_spend", "1"}}) {
      Result result = run("recompute-features", "--pipeline", pipeline[0], "--version", pipeline[1],
          "--source", "discovery.txn", "--target", "discovery." + pipeline[0], "--reason", "discovery", "--json");
      assertThat(result.exitCode()).as(pipeline[0] + ": " + result.stderr()).isZero();
    }

    long expectedLarge = rows.stream().filter(r -> "c7".equals(r.getField("customer_id"))
        && r.getField("amount") != null && (Double) r.getField("amount") >= 10_000.0).count();
    Record c7 = TxnSource.read(table("discovery.customer_large_txn"), null).stream()
        .filter(r -> "c7".equals(r.getField("customer_id"))).findFirst().orElseThrow();
    assertThat(c7.getField("large_txn_count")).isEqualTo(expectedLarge);

    double expectedMax = rows.stream().filter(r -> "c7".equals(r.getField("customer_id")) && r.getField("amount") != null)
        .mapToDouble(r -> (Double) r.getField("amount")).max().orElseThrow();
    Record range = TxnSource.read(table("discovery.customer_amount_range"), null).stream()
        .filter(r -> "c7".equals(r.getField("customer_id"))).findFirst().orElseThrow();
    assertThat(range.getField("amount_max")).isEqualTo(expectedMax);
    assertThat(table("discovery.customer_amount_range").currentSnapshot().summary().get("rollback.pipeline-hash"))
        .startsWith("sha256:");
  }
}
