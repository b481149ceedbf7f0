package org.rollbackjobs.iceberg.catalog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * Builds an Iceberg catalog from Iceberg's own catalog properties ({@code type} or {@code catalog-impl},
 * {@code uri}, {@code warehouse}, {@code io-impl}, {@code jdbc.user}, ...), exactly as Spark, Trino or Flink
 * would, so that the same catalog can be shared with them. A JDBC catalog is Iceberg's own with checked commits
 * ({@link CheckedCommitJdbcCatalog}).
 */
public final class CatalogLoader {
  private CatalogLoader() {}

  public static Catalog load(String name, Map<String, String> properties) {
    return CatalogUtil.buildIcebergCatalog(name, withCheckedCommits(properties), new Configuration());
  }

  /**
   * A JDBC catalog ({@code type=jdbc}, or Iceberg's {@code JdbcCatalog} as {@code catalog-impl}) is made as
   * {@link CheckedCommitJdbcCatalog}, whose commits check their outcome when the database connection fails.
   */
  static Map<String, String> withCheckedCommits(Map<String, String> properties) {
    String type = properties.get(CatalogUtil.ICEBERG_CATALOG_TYPE);
    String impl = properties.get(CatalogProperties.CATALOG_IMPL);
    boolean jdbc = impl == null ? CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC.equalsIgnoreCase(type)
        : impl.equals(JdbcCatalog.class.getName()) && type == null;
    if (!jdbc) {
      return properties;
    }
    Map<String, String> checked = new HashMap<>(properties);
    checked.remove(CatalogUtil.ICEBERG_CATALOG_TYPE);
    checked.put(CatalogProperties.CATALOG_IMPL, CheckedCommitJdbcCatalog.class.getName());
    return checked;
  }

  /** Loads a table, or explains which tables exist when it does not. */
  public static Table loadTable(Catalog catalog, String tableName) {
    TableIdentifier id = TableName.parse(tableName);
    try {
      return catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      throw new BadInputException("table '" + tableName + "' does not exist in catalog '" + catalog.name()
          + "'; " + existingTables(catalog, id.namespace()), e);
    }
  }

  private static String existingTables(Catalog catalog, Namespace namespace) {
    try {
      List<TableIdentifier> tables = catalog.listTables(namespace);
      if (tables.isEmpty()) {
        return "namespace '" + namespace + "' has no tables";
      }
      return "tables in namespace '" + namespace + "': "
          + tables.stream().map(TableIdentifier::toString).sorted().limit(20).collect(Collectors.joining(", "));
    } catch (NoSuchNamespaceException e) {
      if (catalog instanceof SupportsNamespaces namespaces) {
        String known = namespaces.listNamespaces().stream().map(Namespace::toString).sorted()
            .limit(20).collect(Collectors.joining(", "));
        return "namespace '" + namespace + "' does not exist" + (known.isEmpty() ? "" : "; namespaces: " + known);
      }
      return "namespace '" + namespace + "' does not exist";
    }
  }
}
