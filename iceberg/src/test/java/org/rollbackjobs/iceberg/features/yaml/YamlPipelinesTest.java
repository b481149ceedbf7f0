package org.rollbackjobs.iceberg.features.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.FeaturePipeline;

class YamlPipelinesTest {
  private static final String V2 = """
      name: customer_txn_features
      version: "2"
      inputs: {customer_id: string, amount: double, category: string}
      group-by: [customer_id]
      aggregates:
        txn_count: {count: "*"}
        amount_sum: {sum: amount}
        amount_mean: {mean: "amount > 10000.0 ? 10000.0 : amount"}
        amount_max: {max: amount}
        category_count: {distinct-count: category}
      """;

  @Test
  void compilesTheOutputSchemaKeysAndAggregates() {
    FeaturePipeline p = YamlPipelines.parse(V2, "test");
    assertThat(p.name()).isEqualTo("customer_txn_features");
    assertThat(p.version()).isEqualTo("2");
    assertThat(p.keyColumns()).containsExactly("customer_id");
    assertThat(p.inputColumns()).extracting(Types.NestedField::name).containsExactly("customer_id", "amount", "category");
    assertThat(p.outputSchema().columns()).extracting(f -> f.name() + " " + f.type()).containsExactly(
        "customer_id string", "txn_count long", "amount_sum double", "amount_mean double", "amount_max double",
        "category_count long");
    assertThat(p.aggregates()).extracting(a -> a.describe())
        .containsExactly("count", "sum(double)", "mean(double)", "max(double)", "distinct-count(string)");
  }

  @Test
  void theHashIgnoresFormattingButNotMeaning() {
    String reformatted = """
        # same definition, other layout and key order
        version: 2
        name: customer_txn_features
        inputs:
          customer_id: string
          amount: double
          category: string
        aggregates:
          txn_count: {count: "*"}
          amount_sum: {sum: amount}
          amount_mean: {mean: "amount > 10000.0 ? 10000.0 : amount"}
          amount_max: {max: amount}
          category_count: {distinct-count: category}
        group-by: [customer_id]
        """;
    String hash = YamlPipelines.parse(V2, "a").definitionHash();
    assertThat(YamlPipelines.parse(reformatted, "b").definitionHash()).isEqualTo(hash);
    assertThat(YamlPipelines.parse(V2.replace("10000.0 ? 10000.0", "5000.0 ? 5000.0"), "c").definitionHash())
        .isNotEqualTo(hash).startsWith("sha256:");
  }

  @Test
  void mistakesAreReportedWithWhereTheyAre() {
    assertThatThrownBy(() -> YamlPipelines.parse(V2.replace("sum: amount", "median: amount"), "f"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("aggregates.amount_sum").hasMessageContaining("count, sum, mean, min, max, distinct-count");
    assertThatThrownBy(() -> YamlPipelines.parse(V2.replace("max: amount", "max: amont"), "f"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("amont");
    assertThatThrownBy(() -> YamlPipelines.parse(V2.replace("group-by", "groupby"), "f"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("unknown key 'groupby'");
    assertThatThrownBy(() -> YamlPipelines.parse(V2.replace("amount: double", "amount: money"), "f"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("unknown type 'money'");
    assertThatThrownBy(() -> YamlPipelines.parse(V2.replace("version: \"2\"\n", ""), "f"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("'version' is required");
    assertThatThrownBy(() -> YamlPipelines.parse(V2 + "  low: {min: \"amount * 2\"}\n", "f"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("aggregates.low").hasMessageContaining("type");
    assertThatThrownBy(() -> YamlPipelines.parse("name: [", "broken.yaml"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("broken.yaml").hasMessageContaining("not valid YAML");
  }

  @Test
  void loadsEveryDefinitionOfAFolder(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), V2);
    Files.writeString(dir.resolve("b.yml"), V2.replace("\"2\"", "\"3\""));
    Files.writeString(dir.resolve("notes.txt"), "not a pipeline");
    List<FeaturePipeline> loaded = YamlPipelines.loadDirectory(dir);
    assertThat(loaded).extracting(FeaturePipeline::version).containsExactly("2", "3");
    assertThat(loaded.get(0).origin()).contains("a.yaml");
    assertThatThrownBy(() -> YamlPipelines.loadDirectory(dir.resolve("missing")))
        .isInstanceOf(BadInputException.class).hasMessageContaining("does not exist");
  }
}
