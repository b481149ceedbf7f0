package org.rollbackjobs.iceberg.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.ShopHistory;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.engine.FeatureCommit;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.restore.RestoreTable;
import org.rollbackjobs.iceberg.snapshot.SnapshotTags;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.testing.CommitCuttingProxy;
import org.rollbackjobs.testing.CommitCuttingProxy.Cut;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.testing.TestTables;

/**
 * The catalog's connection drops during a commit ({@link CommitCuttingProxy} cuts it at the {@code UPDATE
 * iceberg_tables} statement): each operation the suite commits with ends with its commit made exactly once,
 * never a corrupt table (every file a snapshot references exists) and never a double commit; when the outcome
 * cannot be checked the operation fails with {@link CommitStateUnknownException}, and running it again the way
 * {@code restart} does completes it with exactly one commit.
 */
class CommitOutcomeTest {
  @TempDir static Path warehouse;
  static CommitCuttingProxy proxy;
  static Catalog throughProxy;
  static Catalog direct;

  @BeforeAll
  static void catalogs() {
    assertThat(Fixtures.catalog("commit_outcome", warehouse)).isInstanceOf(CheckedCommitJdbcCatalog.class);
    Map<String, String> props = TestPostgres.get().jdbcCatalogProperties(warehouse);
    proxy = CommitCuttingProxy.to(props.get("uri"));
    String name = "commit_outcome_" + UUID.randomUUID().toString().substring(0, 8);
    direct = CatalogLoader.load(name, props);
    props.put("uri", proxy.jdbcUrl(props.get("uri")));
    throughProxy = CatalogLoader.load(name, props);
  }

  @AfterAll
  static void closeProxy() throws IOException {
    proxy.close();
  }

  /** How the commit's connection fails. */
  enum Fault {
    /** The commit landed, its answer was lost; the catalog answers again right away. */
    ANSWER_LOST(1, false),
    /** The commit never reached the server; the catalog answers again right away. */
    STATEMENT_LOST(1, false),
    /** The commit landed, its answer was lost, and the catalog stays unreachable: the outcome cannot be checked. */
    ANSWER_LOST_THEN_OUTAGE(1, true),
    /** The commit never reached the server, and the catalog stays unreachable. */
    STATEMENT_LOST_THEN_OUTAGE(0, true);

    final int commitsAfterFault;
    final boolean unknown;

    Fault(int commitsAfterFault, boolean unknown) {
      this.commitsAfterFault = commitsAfterFault;
      this.unknown = unknown;
    }

    void arm() {
      Cut cut = name().startsWith("ANSWER") ? Cut.LANDED : Cut.LOST;
      if (unknown) {
        proxy.armWithOutage(cut);
      } else {
        proxy.arm(cut, 1);
      }
    }
  }

  /** An operation the suite commits with; {@link #run} is also what a restart runs again. */
  enum Operation {
    APPEND, RECOMPUTE_OVERWRITE, RESTORE_COMMIT, RESTORE_POINTER, CREATE_TAG;

    void run(Case c) {
      switch (this) {
        case APPEND -> {
          if (c.appended.isEmpty()) {
            c.appended.add(Fixtures.dataFile(c.table, 100, 3, "appended"));
          }
          c.table.newAppend().appendFile(c.appended.get(0)).commit();
        }
        case RECOMPUTE_OVERWRITE -> FeatureCommit.commit(throughProxy, c.table.io(), c.plan(), c.featureFiles(),
            Map.of("rollback.test", "commit-outcome"));
        case RESTORE_COMMIT, RESTORE_POINTER -> RestoreTable.of(c.table).to(SnapshotTarget.id(c.shop.s2()))
            .mode(this == RESTORE_COMMIT ? RestoreMode.COMMIT : RestoreMode.POINTER).commit();
        case CREATE_TAG -> SnapshotTags.create(c.table, "pinned", c.shop.s2());
      }
    }

    /** Whether running it again finds its earlier commit (the append of a plain writer does not). */
    boolean restartable() {
      return this != APPEND;
    }

    void assertEndState(Case c, Table table) {
      switch (this) {
        case APPEND -> assertThat(TestTables.rows(table, null)).hasSize(13)
            .filteredOn(r -> r.contains("appended-100")).hasSize(1);
        case RECOMPUTE_OVERWRITE -> {
          assertThat(TestTables.rows(table, null)).hasSize(4).allMatch(r -> r.contains("feature-"));
          assertThat(FeatureCommit.findRun(table, c.runId, null)).isNotNull();
        }
        case RESTORE_COMMIT, RESTORE_POINTER -> assertThat(TestTables.rows(table, null))
            .isEqualTo(TestTables.rows(table, c.shop.s2()));
        case CREATE_TAG -> assertThat(table.refs().get("pinned")).extracting(SnapshotRef::snapshotId)
            .isEqualTo(c.shop.s2());
      }
    }
  }

  /** One table, with the files and run id its operation commits (kept across the restart). */
  static final class Case {
    final ShopHistory shop;
    final Table table;
    final String runId = "run-" + UUID.randomUUID();
    final List<DataFile> appended = new ArrayList<>();
    private List<String> featureFiles;

    Case(ShopHistory shop) {
      this.shop = shop;
      this.table = shop.table();
    }

    String identifier() {
      return table.name().substring(throughProxy.name().length() + 1);
    }

    List<String> featureFiles() {
      if (featureFiles == null) {
        featureFiles = List.of(
            Fixtures.dataFile(table, 1, 2, "feature").location(), Fixtures.dataFile(table, 3, 2, "feature").location());
      }
      return featureFiles;
    }

    /** A plan as the planner makes it for this table (feature tables' columns are optional). */
    RecomputePlan plan() {
      Schema output = new Schema(table.schema().columns().stream().map(Types.NestedField::asOptional).toList());
      return new RecomputePlan(runId, "shop.source", 1L, 0L, SchemaParser.toJson(table.schema()),
          "test_features", "1", "hash", "test", true, identifier(), true, shop.s5(), table.location(),
          SchemaParser.toJson(output), Map.of(), List.of(), false, 1, 1, 4, 0, 1, 1, 1, null);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(Operation.values())
        .flatMap(op -> Stream.of(Fault.values()).map(fault -> Arguments.of(op, fault)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void aCommitWhoseConnectionDropsIsMadeExactlyOnce(Operation operation, Fault fault) {
    Case c = new Case(ShopHistory.create(throughProxy, operation.name().toLowerCase()));
    if (operation == Operation.RECOMPUTE_OVERWRITE) {
      c.featureFiles(); // written before the fault: only the commit is under test
    }
    TableIdentifier id = TableIdentifier.parse(c.identifier());
    int before = commits(direct.loadTable(id));
    int cutsBefore = proxy.cuts();

    fault.arm();
    Throwable failure = catchThrowable(() -> operation.run(c));
    proxy.endOutage();
    proxy.arm(Cut.LOST, 0);

    Table after = direct.loadTable(id);
    System.out.printf("%s %s: failure %s; commits %d; missing %s%n", operation, fault,
        failure == null ? "none" : failure.getClass().getSimpleName() + ": " + failure.getMessage(),
        commits(after) - before, missingFiles(after));
    assertThat(proxy.cuts() - cutsBefore).as("commit statements cut").isEqualTo(1);
    assertIntact(after);
    assertThat(commits(after) - before).as("commits after the fault").isEqualTo(fault.commitsAfterFault);
    if (fault.unknown) {
      assertThat(failure).isInstanceOf(CommitStateUnknownException.class)
          .hasMessageContaining(id.toString())
          .hasMessageContaining("outcome is unknown")
          .hasMessageContaining("restart --execution");
      assertThat(failure.getMessage()).doesNotContain("\n");
    } else {
      assertThat(failure).isNull();
      operation.assertEndState(c, after);
    }

    if (operation.restartable()) {
      c.table.refresh();
      operation.run(c);
      after = direct.loadTable(id);
      assertIntact(after);
      assertThat(commits(after) - before).as("commits after the restart").isEqualTo(1);
      operation.assertEndState(c, after);
    } else if (fault.commitsAfterFault == 1) {
      operation.assertEndState(c, after);
    }
  }

  /** Commits made to the table: its metadata files (the current one and those it logs). */
  static int commits(Table table) {
    TableMetadata metadata = ((HasTableOperations) table).operations().refresh();
    return metadata.previousFiles().size() + 1;
  }

  static void assertIntact(Table table) {
    assertThat(missingFiles(table)).as("files referenced by the table's snapshots that do not exist").isEmpty();
    for (Snapshot snapshot : table.snapshots()) {
      TestTables.rows(table, snapshot.snapshotId()); // every snapshot reads
    }
  }

  /** Manifest lists, manifests, data and delete files that a snapshot of the table references and that are gone. */
  static List<String> missingFiles(Table table) {
    FileIO io = table.io();
    List<String> missing = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      if (!io.newInputFile(snapshot.manifestListLocation()).exists()) {
        missing.add("snapshot " + snapshot.snapshotId() + " manifest list " + snapshot.manifestListLocation());
        continue;
      }
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        if (!io.newInputFile(manifest.path()).exists()) {
          missing.add("snapshot " + snapshot.snapshotId() + " manifest " + manifest.path());
          continue;
        }
        try (ManifestReader<? extends ContentFile<?>> reader = manifest.content() == ManifestContent.DATA
            ? ManifestFiles.read(manifest, io, table.specs())
            : ManifestFiles.readDeleteManifest(manifest, io, table.specs())) {
          for (ContentFile<?> file : reader) {
            if (!io.newInputFile(file.location()).exists()) {
              missing.add("snapshot " + snapshot.snapshotId() + " file " + file.location());
            }
          }
        } catch (IOException e) {
          missing.add("snapshot " + snapshot.snapshotId() + " manifest " + manifest.path() + " unreadable: " + e);
        }
      }
    }
    return missing;
  }
}
