package org.rollbackjobs.spark;

import java.util.Map;
import java.util.TreeMap;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * How the Spark engine reaches Spark ({@code rollback.features.spark.*}).
 *
 * @param remote the Spark Connect endpoint, {@code sc://host:port} (Spark Connect's own URL form, with its
 *     {@code ;token=...;use_ssl=true} parameters where the server needs them)
 * @param catalog the name of a Spark catalog configured on the server that is the job's Iceberg catalog; null:
 *     the engine defines it in its session from the job's own catalog settings (under the catalog's name)
 * @param conf Spark settings for the engine's session ({@code spark.sql.shuffle.partitions}, ...), passed through
 */
public record SparkSettings(String remote, String catalog, Map<String, String> conf) {

  public SparkSettings {
    conf = conf == null ? Map.of() : Map.copyOf(new TreeMap<>(conf));
  }

  /** Checks the settings without contacting Spark; the message names the property. */
  public SparkSettings validated() {
    if (remote == null || remote.isBlank()) {
      throw new BadInputException("the Spark engine needs rollback.features.spark.remote, the Spark Connect"
          + " endpoint (sc://host:15002)");
    }
    if (!remote.startsWith("sc://") || remote.length() <= "sc://".length()) {
      throw new BadInputException("rollback.features.spark.remote " + BadInputException.shown(remote) + " is not a"
          + " Spark Connect endpoint; expected sc://host:port, for example sc://spark-connect:15002");
    }
    if (catalog != null && !catalog.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
      throw new BadInputException("rollback.features.spark.catalog " + BadInputException.shown(catalog)
          + " is not a Spark catalog name (letters, digits, '_')");
    }
    conf.forEach((key, value) -> {
      if (!key.startsWith("spark.")) {
        throw new BadInputException("rollback.features.spark.conf." + key + ": only Spark settings (spark.*) are"
            + " passed to the Spark session");
      }
    });
    return this;
  }
}
