package org.rollbackjobs.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a refused command must leave as it was: the schemas and relations of the test database, the rows of every
 * table of {@code rollback} (manifests, audit log, job repository, builds, ...) and of the Iceberg JDBC catalog,
 * and the files of the warehouse. Two fingerprints are equal when nothing was created, changed or removed.
 */
public record DatabaseFingerprint(List<String> schemas, List<String> relations, List<String> rows,
    List<String> warehouseFiles) {
  private static final String USER_SCHEMAS = "nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'";

  public static DatabaseFingerprint of(JdbcTemplate jdbc, Path warehouse) {
    List<String> schemas = jdbc.queryForList("SELECT nspname FROM pg_namespace WHERE " + USER_SCHEMAS
        + " ORDER BY 1", String.class);
    List<String> relations = jdbc.queryForList("SELECT format('%I.%I %s', n.nspname, c.relname, c.relkind)"
        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_SCHEMAS
        + " AND c.relkind IN ('r', 'p', 'v', 'm', 'i') ORDER BY 1", String.class);
    List<String> rows = new ArrayList<>();
    for (String table : jdbc.queryForList("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
        + " WHERE schemaname = 'rollback' ORDER BY 1", String.class)) {
      rows.add(table + " " + jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class) + " rows");
    }
    for (String table : jdbc.queryForList("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
        + " WHERE tablename LIKE 'iceberg\\_%' ORDER BY 1", String.class)) {
      rows.addAll(jdbc.queryForList("SELECT '" + table + " ' || t::text FROM " + table + " t ORDER BY 1",
          String.class));
    }
    return new DatabaseFingerprint(schemas, relations, rows, files(warehouse));
  }

  /** The same without the row count of {@code table} (a refusal that is audited adds its audit row). */
  public DatabaseFingerprint without(String table) {
    return new DatabaseFingerprint(schemas, relations, rows.stream().filter(r -> !r.startsWith(table + " ")).toList(),
        warehouseFiles);
  }

  private static List<String> files(Path warehouse) {
    try (Stream<Path> files = Files.walk(warehouse)) {
      return files.map(f -> warehouse.relativize(f).toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
