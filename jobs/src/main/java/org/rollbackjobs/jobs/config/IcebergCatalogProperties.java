package org.rollbackjobs.jobs.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rollback.iceberg.*}: the catalog name and Iceberg's own catalog properties, passed through unchanged,
 * so that the catalog configured here is the one Spark, Trino or Flink use.
 *
 * @param catalogName {@code rollback.iceberg.catalog-name}, default {@code rollback}
 * @param catalog {@code rollback.iceberg.catalog.*}: {@code type}, {@code catalog-impl}, {@code uri},
 *     {@code warehouse}, {@code io-impl}, {@code jdbc.user}, ...
 */
@ConfigurationProperties(prefix = "rollback.iceberg")
public record IcebergCatalogProperties(String catalogName, Map<String, String> catalog) {

  /**
   * Iceberg property names that contain a dash. Environment variables cannot spell the dash
   * ({@code ROLLBACK_ICEBERG_CATALOG_IO_IMPL} binds as {@code io.impl}), so those keys are mapped back.
   */
  private static final Set<String> DASHED_KEYS = Set.of(
      "catalog-impl", "io-impl", "metrics-reporter-impl", "lock-impl", "cache-enabled", "cache.expiration-interval-ms",
      "client.pool.cache.eviction-interval-ms", "encryption.kms-impl");

  public IcebergCatalogProperties {
    catalogName = catalogName == null || catalogName.isBlank() ? "rollback" : catalogName;
    catalog = catalog == null ? Map.of() : Map.copyOf(catalog);
  }

  /**
   * The properties handed to Iceberg. A JDBC catalog without a {@code uri} lives in the application's own
   * PostgreSQL: uri, user and password are taken from {@code spring.datasource}.
   */
  public Map<String, String> resolve(String datasourceUrl, String datasourceUser, String datasourcePassword) {
    Map<String, String> props = new LinkedHashMap<>();
    catalog.forEach((key, value) -> props.put(canonicalKey(key), value));
    boolean jdbc = "jdbc".equalsIgnoreCase(props.get("type")) && !props.containsKey("catalog-impl");
    if (jdbc && !props.containsKey("uri")) {
      props.put("uri", datasourceUrl);
      props.putIfAbsent("jdbc.user", datasourceUser);
      props.putIfAbsent("jdbc.password", datasourcePassword == null ? "" : datasourcePassword);
      // our own catalog: create it with the current JDBC catalog schema (with views); a shared one is left as it is
      props.putIfAbsent("jdbc.schema-version", "V1");
    }
    return props;
  }

  /** The settings with the secrets redacted (catalog properties may hold passwords and keys). */
  @Override
  public String toString() {
    return "IcebergCatalogProperties[catalogName=" + catalogName + ", catalog={"
        + IcebergConfiguration.redacted(new java.util.TreeMap<>(catalog)) + "}]";
  }

  static String canonicalKey(String key) {
    String lower = key.toLowerCase(java.util.Locale.ROOT);
    if (DASHED_KEYS.contains(lower)) {
      return lower;
    }
    for (String dashed : DASHED_KEYS) {
      if (dashed.replace('-', '.').equals(lower)) {
        return dashed;
      }
    }
    return key;
  }
}
