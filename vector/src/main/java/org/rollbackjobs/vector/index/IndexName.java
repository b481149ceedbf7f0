package org.rollbackjobs.vector.index;

import org.rollbackjobs.vector.sql.SqlIdentifier;

/**
 * The serving name of a vector index: the relation {@code schema.name} that applications query. Both parts are
 * checked as safe identifiers; the name is kept short enough for the build tables and their indexes
 * ({@code name__b<build>_ann}) to fit PostgreSQL's 63-character limit.
 */
public record IndexName(String schema, String name) {
  public static final int MAX_NAME_LENGTH = 40;

  public IndexName {
    SqlIdentifier.check("schema", schema);
    SqlIdentifier.check("index name", name, MAX_NAME_LENGTH);
  }

  public static IndexName of(String schema, String name) {
    return new IndexName(schema == null || schema.isBlank() ? "public" : schema, name);
  }

  /** {@code "schema"."name"}. */
  public String sql() {
    return SqlIdentifier.qualified(schema, name);
  }

  /** The build table of build {@code buildId}, in the same schema. */
  public String buildTable(long buildId) {
    return name + "__b" + buildId;
  }

  @Override
  public String toString() {
    return schema + "." + name;
  }
}
