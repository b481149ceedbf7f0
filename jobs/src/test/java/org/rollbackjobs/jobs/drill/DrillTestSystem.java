package org.rollbackjobs.jobs.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeEach;
import org.rollbackjobs.jobs.rollback.RollbackTestSystem;

/**
 * The drill tests' system (the rollback tests' one, in its known-good state) and what they read of it: production
 * read directly, without the drill's own fingerprints, and whether a drill's sandbox is gone.
 */
abstract class DrillTestSystem extends RollbackTestSystem {
  @BeforeEach
  void system() throws IOException {
    knownGoodSystem("dr", 30, null);
  }

  /** Production read directly: main snapshots and refs, the serving view, the registries, the manifests. */
  protected Map<String, Object> production() {
    Map<String, Object> state = new LinkedHashMap<>();
    for (String name : List.of(ns + ".txn", ns + ".customer_features", ns + ".docs")) {
      Table table = table(name);
      state.put(name + " main", table.currentSnapshot().snapshotId());
      Map<String, Object> refs = new TreeMap<>(table.refs());
      refs.keySet().removeIf(ref -> ref.startsWith("drill-")); // a kept sandbox's branch is not production
      state.put(name + " refs", refs.toString());
      state.put(name + " schema", table.schema().schemaId());
    }
    state.put("view", jdbc.queryForObject("SELECT pg_get_viewdef(?::regclass)", String.class, ns + ".docs"));
    state.put("serving", jdbc.queryForList("SELECT * FROM rollback.vector_indexes WHERE index_schema = ?", ns));
    state.put("builds", jdbc.queryForList("SELECT * FROM rollback.index_builds WHERE index_schema = ? ORDER BY id",
        ns));
    state.put("embedding registry", jdbc.queryForList("SELECT * FROM rollback.embedding_versions ORDER BY name"));
    state.put("manifests", jdbc.queryForList("SELECT id, content::text FROM rollback.manifests WHERE system = ?"
        + " ORDER BY id", ns));
    state.put("retrain", jdbc.queryForList("SELECT request_key FROM rollback.retrain_requests WHERE system = ?"
        + " ORDER BY id", ns));
    return state;
  }

  protected void assertNoSandbox(String run) {
    for (String name : List.of(ns + ".txn", ns + ".customer_features")) {
      assertThat(table(name).refs()).as(name).doesNotContainKey("drill-" + run);
    }
    assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_namespace WHERE nspname = ?", Long.class,
        "rollback_drill_" + run)).isZero();
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds WHERE index_schema = ?", Long.class,
        "rollback_drill_" + run)).isZero();
  }

  protected Result drill(String... more) {
    List<String> args = new ArrayList<>(List.of("drill", "--system-file", systemFile.toString(), "--reason",
        "monthly drill", "--json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }
}
