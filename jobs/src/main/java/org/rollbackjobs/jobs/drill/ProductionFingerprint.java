package org.rollbackjobs.jobs.drill;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What a drill must leave as it found it, taken before and after: each table's main snapshot, schema and refs
 * (drill branches aside), each index's serving view definition, registry row and builds, the embedding and
 * pipeline registries, the system's manifests and retrain requests. Values are short digests, so that records
 * stay small and a difference shows which part moved. The embedding cache is left out: it is shared, and a
 * drill's build may add vectors to it, as any build does.
 */
@Component
class ProductionFingerprint {
  private final ObjectProvider<Catalog> catalog;
  private final JdbcTemplate jdbc;

  ProductionFingerprint(ObjectProvider<Catalog> catalog, JdbcTemplate jdbc) {
    this.catalog = catalog;
    this.jdbc = jdbc;
  }

  /** One entry per part of production, in a stable order. */
  Map<String, String> take(SystemDefinition system) {
    Map<String, String> parts = new LinkedHashMap<>();
    for (String table : tables(system)) {
      parts.put("table " + table, table(table));
    }
    for (IndexSpec index : system.indexes()) {
      String name = index.qualifiedName();
      parts.put("serving view " + name, rows("SELECT pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n"
          + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND c.relkind = 'v'", index.schema(),
          index.name()));
      parts.put("serving record " + name, rows("SELECT row_to_json(v)::text FROM rollback.vector_indexes v"
          + " WHERE index_schema = ? AND index_name = ?", index.schema(), index.name()));
      parts.put("builds " + name, rows("SELECT row_to_json(b)::text FROM rollback.index_builds b"
          + " WHERE index_schema = ? AND index_name = ? ORDER BY id", index.schema(), index.name()));
    }
    parts.put("embedding registry", rows("SELECT row_to_json(v)::text FROM rollback.embedding_versions v"
        + " ORDER BY name"));
    parts.put("feature pipeline registry", rows("SELECT row_to_json(p)::text FROM rollback.feature_pipelines p"
        + " ORDER BY name, version"));
    parts.put("manifests", rows("SELECT row_to_json(m)::text FROM rollback.manifests m WHERE system = ?"
        + " ORDER BY id", system.name()));
    parts.put("retrain requests", rows("SELECT row_to_json(r)::text FROM rollback.retrain_requests r"
        + " WHERE system = ? ORDER BY id", system.name()));
    return parts;
  }

  /** The parts and both values, with whether they are equal; every part of either side. */
  static List<Map<String, Object>> compare(Map<String, String> before, Map<String, String> after) {
    Set<String> names = new LinkedHashSet<>(before.keySet());
    names.addAll(after.keySet());
    List<Map<String, Object>> comparison = new ArrayList<>();
    for (String name : names) {
      Map<String, Object> part = new LinkedHashMap<>();
      part.put("name", name);
      part.put("before", before.get(name));
      part.put("after", after.get(name));
      part.put("same", java.util.Objects.equals(before.get(name), after.get(name)));
      comparison.add(part);
    }
    return comparison;
  }

  static boolean untouched(List<Map<String, Object>> comparison) {
    return comparison.stream().allMatch(p -> Boolean.TRUE.equals(p.get("same")));
  }

  /** Every Iceberg table the system names: datasets, feature sources and targets, index sources. */
  private static Set<String> tables(SystemDefinition system) {
    Set<String> tables = new LinkedHashSet<>(Sandboxes.branchedTables(system));
    system.features().stream().map(FeatureSpec::source).forEach(tables::add);
    system.indexes().stream().map(IndexSpec::source).forEach(tables::add);
    return tables;
  }

  private String table(String name) {
    Catalog c = catalog.getObject();
    if (!c.tableExists(TableName.parse(name))) {
      return "absent";
    }
    Table table = CatalogLoader.loadTable(c, name);
    Map<String, String> refs = new TreeMap<>();
    table.refs().forEach((ref, snapshot) -> {
      if (!ref.startsWith(Sandbox.BRANCH_PREFIX)) {
        refs.put(ref, (snapshot.isBranch() ? "branch " : "tag ") + snapshot.snapshotId());
      }
    });
    return "main " + (table.currentSnapshot() == null ? "none" : table.currentSnapshot().snapshotId())
        + ", schema " + table.schema().schemaId() + ", spec " + table.spec().specId() + ", " + refs.size()
        + " refs " + digest(refs.toString());
  }

  private String rows(String sql, Object... args) {
    List<String> rows = jdbc.queryForList(sql, String.class, args);
    return rows.size() + (rows.size() == 1 ? " row " : " rows ") + digest(String.join("\n", rows));
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
