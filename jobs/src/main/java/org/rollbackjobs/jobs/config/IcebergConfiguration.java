package org.rollbackjobs.jobs.config;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.jobs.secrets.Redaction;
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
          + redacted(props) + "): " + Redaction.scrub(e.getMessage(), secrets(props)),
          Redaction.scrubFailure(e, secrets(props)));
    } catch (RuntimeException e) {
      // Iceberg names the catalog's URI in its messages ("Failed to connect: jdbc:...?password=...")
      throw Redaction.scrubFailure(e, secrets(props));
    }
  }

  /** The properties as they may be shown: secrets never (neither secret keys' values nor passwords in URLs). */
  static String redacted(Map<String, String> props) {
    return props.entrySet().stream()
        .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? "****" : Redaction.url(e.getValue())))
        .collect(Collectors.joining(", "));
  }

  /** The secret values among the properties: those of secret keys, and passwords in URLs. */
  static Set<String> secrets(Map<String, String> props) {
    Set<String> secrets = new LinkedHashSet<>();
    props.forEach((key, value) -> {
      if (isSecret(key)) {
        secrets.add(value);
      } else {
        secrets.addAll(Redaction.secretsOfUrl(value));
      }
    });
    return secrets;
  }

  private static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return Redaction.isSecretName(k) || k.endsWith(".key");
  }
}
