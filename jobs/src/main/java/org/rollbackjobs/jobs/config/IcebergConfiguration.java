package org.rollbackjobs.jobs.config;

import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/** The Iceberg catalog, built from {@code rollback.iceberg.*} on first use (commands that need no catalog never connect). */
@Configuration(proxyBeanMethods = false)
public class IcebergConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(IcebergConfiguration.class);

  @Bean
  @Lazy
  Catalog icebergCatalog(
      IcebergCatalogProperties properties,
      @Value("${spring.datasource.url}") String datasourceUrl,
      @Value("${spring.datasource.username:}") String datasourceUser,
      @Value("${spring.datasource.password:}") String datasourcePassword) {
    Map<String, String> props = properties.resolve(datasourceUrl, datasourceUser, datasourcePassword);
    LOG.debug("Iceberg catalog '{}': {}", properties.catalogName(), redacted(props));
    try {
      return CatalogLoader.load(properties.catalogName(), props);
    } catch (IllegalArgumentException | UnsupportedOperationException | NoClassDefFoundError e) {
      throw new BadInputException("the Iceberg catalog cannot be built from rollback.iceberg.catalog.* ("
          + redacted(props) + "): " + e.getMessage(), e);
    }
  }

  /** Secrets are never logged. */
  static String redacted(Map<String, String> props) {
    return props.entrySet().stream()
        .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? "****" : e.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("credential")
        || k.endsWith(".key") || k.contains("access-key");
  }
}
