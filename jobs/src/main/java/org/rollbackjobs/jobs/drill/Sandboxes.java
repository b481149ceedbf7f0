package org.rollbackjobs.jobs.drill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.vector.sql.SqlIdentifier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Creates and removes drill sandboxes: a branch {@code drill-<run-id>} of every dataset and feature table, made
 * from the table's current main snapshot (Iceberg's write-audit-publish pattern), and the schema
 * {@code rollback_drill_<run-id>} with the registry rows of the indexes built there. The branches get a short
 * max-ref-age ({@code rollback.drill.branch-max-age}), so that snapshot expiry removes those of a drill that died
 * with its process, should no later drill do it first.
 */
@Component
class Sandboxes {
  private final ObjectProvider<Catalog> catalog;
  private final JdbcTemplate jdbc;
  private final Duration branchMaxAge;

  Sandboxes(ObjectProvider<Catalog> catalog, JdbcTemplate jdbc,
      @Value("${rollback.drill.branch-max-age:1d}") Duration branchMaxAge) {
    this.catalog = catalog;
    this.jdbc = jdbc;
    this.branchMaxAge = branchMaxAge;
  }

  /** The tables a sandbox branches: the datasets and the feature tables (the derived tables the rollback writes). */
  static List<String> branchedTables(SystemDefinition system) {
    Set<String> tables = new LinkedHashSet<>();
    system.datasets().forEach(d -> tables.add(d.table()));
    system.features().stream().map(FeatureSpec::target).forEach(tables::add);
    return List.copyOf(tables);
  }

  /** Checks that every table to branch exists with a snapshot: bad input (exit 2) before anything is created. */
  void checkBranchable(SystemDefinition system) {
    for (String name : branchedTables(system)) {
      Table table = CatalogLoader.loadTable(catalog.getObject(), name);
      if (table.currentSnapshot() == null) {
        throw new BadInputException("table " + name + " has no snapshot: there is nothing to branch a drill from");
      }
    }
  }

  void create(Sandbox sandbox, SystemDefinition system) {
    for (String name : branchedTables(system)) {
      Table table = CatalogLoader.loadTable(catalog.getObject(), name);
      Snapshot main = table.currentSnapshot();
      table.manageSnapshots()
          .createBranch(sandbox.branch(), main.snapshotId())
          .setMaxRefAgeMs(sandbox.branch(), branchMaxAge.toMillis())
          .commit();
    }
    jdbc.execute("CREATE SCHEMA " + SqlIdentifier.quote(sandbox.schema()));
  }

  /** Removes what exists of the sandbox (also of one that was created only in part); returns what it removed. */
  List<String> remove(Sandbox sandbox, SystemDefinition system) {
    List<String> removed = new ArrayList<>();
    Catalog c = catalog.getObject();
    for (String name : branchedTables(system)) {
      if (!c.tableExists(TableName.parse(name))) {
        continue;
      }
      Table table = CatalogLoader.loadTable(c, name);
      if (table.refs().containsKey(sandbox.branch())) {
        table.manageSnapshots().removeBranch(sandbox.branch()).commit();
        removed.add(name + " branch " + sandbox.branch());
      }
    }
    Integer schemas = jdbc.queryForObject("SELECT count(*) FROM pg_namespace WHERE nspname = ?", Integer.class,
        sandbox.schema());
    jdbc.execute("DROP SCHEMA IF EXISTS " + SqlIdentifier.quote(sandbox.schema()) + " CASCADE");
    int builds = jdbc.update("DELETE FROM rollback.index_builds WHERE index_schema = ?", sandbox.schema());
    jdbc.update("DELETE FROM rollback.vector_indexes WHERE index_schema = ?", sandbox.schema());
    if (schemas != null && schemas > 0) {
      removed.add("schema " + sandbox.schema() + " (" + builds + " index builds)");
    }
    return removed;
  }

  /**
   * The sandboxes whose branches are on the system's tables: left by a drill that died or was kept (the caller
   * holds the system's lock, so no drill of the system runs).
   */
  Set<Sandbox> leftovers(SystemDefinition system) {
    Set<String> runs = new LinkedHashSet<>();
    Catalog c = catalog.getObject();
    for (String name : branchedTables(system)) {
      if (!c.tableExists(TableName.parse(name))) {
        continue;
      }
      for (Map.Entry<String, SnapshotRef> ref : CatalogLoader.loadTable(c, name).refs().entrySet()) {
        String run = ref.getKey().startsWith(Sandbox.BRANCH_PREFIX)
            ? ref.getKey().substring(Sandbox.BRANCH_PREFIX.length()) : null;
        if (run != null && ref.getValue().isBranch() && run.matches("[a-z0-9]{1,32}")) {
          runs.add(run);
        }
      }
    }
    Set<Sandbox> sandboxes = new LinkedHashSet<>();
    runs.forEach(run -> sandboxes.add(new Sandbox(run)));
    return sandboxes;
  }

  /** How a kept sandbox goes: the next drill of the system removes it; by hand, what {@link #remove} does. */
  static String removalHint(Sandbox sandbox, SystemDefinition system) {
    StringBuilder hint = new StringBuilder("the next drill of " + system.name() + " removes it; by hand (Spark SQL"
        + " for the branches, psql for the rest): ");
    for (String table : branchedTables(system)) {
      hint.append("ALTER TABLE ").append(table).append(" DROP BRANCH `").append(sandbox.branch()).append("`; ");
    }
    hint.append("DROP SCHEMA ").append(sandbox.schema()).append(" CASCADE; DELETE FROM rollback.index_builds WHERE")
        .append(" index_schema = '").append(sandbox.schema()).append("'; DELETE FROM rollback.vector_indexes WHERE")
        .append(" index_schema = '").append(sandbox.schema()).append("'");
    return hint.toString();
  }
}
