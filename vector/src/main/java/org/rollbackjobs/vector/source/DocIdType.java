package org.rollbackjobs.vector.source;

import java.util.Locale;

/** The SQL type of a build's {@code doc_id}: integer ids stay numbers so that applications can join on them. */
public enum DocIdType {
  BIGINT,
  TEXT;

  public String sql() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The element type name of an array of these ids for JDBC ({@code createArrayOf}). */
  public String arrayElementSql() {
    return this == BIGINT ? "int8" : "text";
  }

  /** The id as this type holds it: a Long for BIGINT, a String for TEXT. */
  public Object normalize(Object id) {
    if (id == null) {
      return null;
    }
    if (this == BIGINT) {
      return id instanceof Number n ? n.longValue() : Long.parseLong(id.toString());
    }
    return id.toString();
  }

  public static DocIdType parse(String sql) {
    return valueOf(sql.trim().toUpperCase(Locale.ROOT));
  }
}
