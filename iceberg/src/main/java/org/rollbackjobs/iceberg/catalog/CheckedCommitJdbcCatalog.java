package org.rollbackjobs.iceberg.catalog;

import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Iceberg's JDBC catalog whose table commits are checked when they fail ({@link CheckedCommitTableOperations}):
 * {@link CatalogLoader} uses it for {@code type=jdbc}. Everything else (its tables in the database, properties,
 * views) is Iceberg's own, so other engines share the catalog unchanged.
 */
public class CheckedCommitJdbcCatalog extends JdbcCatalog {
  @Override
  protected TableOperations newTableOps(TableIdentifier identifier) {
    return new CheckedCommitTableOperations(super.newTableOps(identifier), name() + "." + identifier);
  }
}
