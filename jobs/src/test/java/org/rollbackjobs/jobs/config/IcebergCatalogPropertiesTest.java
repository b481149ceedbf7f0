package org.rollbackjobs.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IcebergCatalogPropertiesTest {

  @Test
  void jdbcCatalogWithoutUriLivesInTheApplicationDatabase() {
    var props = new IcebergCatalogProperties(null, Map.of("type", "jdbc", "warehouse", "/w"));
    assertThat(props.catalogName()).isEqualTo("rollback");
    assertThat(props.resolve("jdbc:postgresql://h/db", "u", "p"))
        .containsEntry("uri", "jdbc:postgresql://h/db")
        .containsEntry("jdbc.user", "u")
        .containsEntry("jdbc.password", "p")
        .containsEntry("jdbc.schema-version", "V1")
        .containsEntry("warehouse", "/w");
  }

  @Test
  void explicitCatalogPropertiesPassThroughUnchanged() {
    var props = new IcebergCatalogProperties("lake", Map.of(
        "type", "rest", "uri", "http://catalog:8181", "warehouse", "s3://bucket/wh", "io-impl", "org.example.IO"));
    assertThat(props.resolve("jdbc:postgresql://h/db", "u", "p")).isEqualTo(Map.of(
        "type", "rest", "uri", "http://catalog:8181", "warehouse", "s3://bucket/wh", "io-impl", "org.example.IO"));
  }

  @Test
  void dashedKeysFromEnvironmentVariablesAreMappedBack() {
    // ROLLBACK_ICEBERG_CATALOG_IO_IMPL binds as io.impl, ..._CATALOG_IMPL as catalog.impl
    var props = new IcebergCatalogProperties(null, Map.of("catalog.impl", "org.example.Catalog", "io.impl", "org.example.IO"));
    assertThat(props.resolve("jdbc:x", "u", "p"))
        .containsEntry("catalog-impl", "org.example.Catalog")
        .containsEntry("io-impl", "org.example.IO")
        .doesNotContainKey("uri");
  }

  @Test
  void secretsAreRedactedInLogs() {
    assertThat(IcebergConfiguration.redacted(Map.of("jdbc.password", "hunter2", "uri", "jdbc:x")))
        .contains("jdbc.password=****").contains("uri=jdbc:x").doesNotContain("hunter2");
  }
}
