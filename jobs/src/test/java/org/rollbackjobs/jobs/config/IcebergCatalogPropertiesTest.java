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
    Map<String, String> props = Map.of("uri", "jdbc:postgresql://db/lake?user=u&password=hunter2",
        "s3.secret-access-key", "k3y", "client.credential", "id:s3cret", "warehouse", "s3://wh");
    assertThat(IcebergConfiguration.redacted(props)).contains("uri=jdbc:postgresql://db/lake?user=u&password=***",
        "warehouse=s3://wh").doesNotContain("hunter2", "k3y", "s3cret");
    assertThat(IcebergConfiguration.secrets(props)).containsExactlyInAnyOrder("hunter2", "k3y", "id:s3cret");
    assertThat(new IcebergCatalogProperties("c", props).toString()).contains("catalogName=c")
        .doesNotContain("hunter2", "k3y", "s3cret");
  }
}
