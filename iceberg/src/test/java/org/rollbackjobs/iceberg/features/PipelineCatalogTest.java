package org.rollbackjobs.iceberg.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.examples.CustomerCategorySpendPipeline;

class PipelineCatalogTest {
  @Test
  void findsTheShippedYamlAndJavaPipelinesWithServiceLoader() {
    PipelineCatalog catalog = PipelineCatalog.fromClasspath();
    assertThat(catalog.get("customer_txn_features", "1").origin()).contains("customer_txn_features-1.yaml");
    assertThat(catalog.get("customer_txn_features", "2").outputSchema().columns()).hasSize(6);
    assertThat(catalog.get("customer_category_spend", "1")).isInstanceOf(CustomerCategorySpendPipeline.class);
    assertThat(catalog.get("txn_amount_flags", "1").isKeyed()).isFalse();
  }

  @Test
  void unknownPipelinesAndVersionsSayWhatExists() {
    PipelineCatalog catalog = PipelineCatalog.fromClasspath();
    assertThatThrownBy(() -> catalog.get("customer_txn_feature", "1"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("unknown pipeline 'customer_txn_feature'")
        .hasMessageContaining("customer_txn_features (versions 1, 2)");
    assertThatThrownBy(() -> catalog.get("customer_txn_features", "3"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("has no version '3'; versions: 1, 2");
  }

  @Test
  void twoDifferentDefinitionsUnderOneVersionAreRefused(@TempDir Path dir) throws Exception {
    // version 2 again, with another cap: a changed definition that should have been version 3
    String changed = new String(getClass().getResourceAsStream("examples/customer_txn_features-2.yaml").readAllBytes())
        .replace("10000.0 ? 10000.0", "5000.0 ? 5000.0");
    Files.writeString(dir.resolve("v2-changed.yaml"), changed);
    PipelineCatalog catalog = PipelineCatalog.builder()
        .serviceLoader(getClass().getClassLoader()).directory(dir).build();

    assertThatThrownBy(() -> catalog.get("customer_txn_features", "2"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("2 different definitions").hasMessageContaining("v2-changed.yaml")
        .hasMessageContaining("give a changed definition a new version");
    assertThat(catalog.get("customer_txn_features", "1")).isNotNull();
  }
}
