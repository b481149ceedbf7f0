package org.rollbackjobs.iceberg.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rollbackjobs.iceberg.Fixtures.currentId;
import static org.rollbackjobs.iceberg.Fixtures.dataFile;
import static org.rollbackjobs.iceberg.Fixtures.metadataLocation;

import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.ShopHistory;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.testing.TestTables;

/**
 * A second writer, with its own Table instance loaded from the catalog, commits between the restore's plan and
 * its commit: the restore must be refused with {@link ConcurrentChangeException} and leave the other writer's
 * commit as the table's current state.
 */
class RestoreConcurrencyTest {
  @TempDir static Path warehouse;
  static Catalog catalog;

  ShopHistory shop;
  Table table;
  TableIdentifier id;

  @BeforeAll
  static void catalog() {
    catalog = Fixtures.catalog("restore_concurrency_test", warehouse);
  }

  @BeforeEach
  void table() {
    shop = ShopHistory.create(catalog, "concurrency");
    table = shop.table();
    id = TableIdentifier.parse(table.name().substring(catalog.name().length() + 1));
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void concurrentAppendBetweenPlanAndCommitIsNotOverwritten(RestoreMode mode) {
    RestoreTable restore = RestoreTable.of(table).to(SnapshotTarget.id(shop.s2())).mode(mode)
        .set(Lineage.REASON, "concurrency test");
    RestorePlan plan = restore.plan();
    assertThat(plan.fromSnapshotId()).isEqualTo(shop.s5());

    Table writer = catalog.loadTable(id);
    DataFile concurrent = dataFile(writer, 100, 3, "concurrent");
    writer.newAppend().appendFile(concurrent).commit();
    long concurrentSnapshot = writer.currentSnapshot().snapshotId();
    String concurrentMetadata = metadataLocation(writer);

    assertThatThrownBy(restore::commit)
        .isInstanceOf(ConcurrentChangeException.class)
        .hasMessageContaining("table " + table.name() + " changed while the restore was running")
        .hasMessageContaining("planned from snapshot " + shop.s5())
        .hasMessageContaining("nothing changed");

    assertThat(metadataLocation(table)).isEqualTo(concurrentMetadata);
    assertThat(currentId(table)).isEqualTo(concurrentSnapshot);
    List<String> rows = TestTables.rows(table, null);
    assertThat(rows).hasSize(13).containsAll(TestTables.rows(writer, concurrentSnapshot))
        .anyMatch(r -> r.contains("concurrent-100"));
    assertThat(rows).isEqualTo(TestTables.rows(table, concurrentSnapshot));
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void concurrentDeleteBetweenPlanAndCommitIsNotOverwritten(RestoreMode mode) {
    RestoreTable restore = RestoreTable.of(table).to(SnapshotTarget.id(shop.s1())).mode(mode);
    restore.plan();

    Table writer = catalog.loadTable(id);
    writer.newDelete().deleteFile(shop.f3()).commit();
    long concurrentSnapshot = writer.currentSnapshot().snapshotId();

    assertThatThrownBy(restore::commit).isInstanceOf(ConcurrentChangeException.class);

    assertThat(currentId(table)).isEqualTo(concurrentSnapshot);
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, concurrentSnapshot)).hasSize(6);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void runningTheSameRequestAgainPlansAgainstTheNewState(RestoreMode mode) {
    RestoreTable restore = RestoreTable.of(table).to(SnapshotTarget.tag(ShopHistory.TAG)).mode(mode);
    restore.plan();
    Table writer = catalog.loadTable(id);
    writer.newAppend().appendFile(dataFile(writer, 100, 3, "concurrent")).commit();
    long concurrentSnapshot = writer.currentSnapshot().snapshotId();
    assertThatThrownBy(restore::commit).isInstanceOf(ConcurrentChangeException.class);

    RestoreResult again = RestoreTable.of(table).to(SnapshotTarget.tag(ShopHistory.TAG)).mode(mode).commit();

    assertThat(again.changed()).isTrue();
    assertThat(again.plan().fromSnapshotId()).isEqualTo(concurrentSnapshot);
    assertThat(again.plan().rowsToDiscard()).isEqualTo(9);
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s2()));
    if (mode == RestoreMode.COMMIT) {
      assertThat(table.currentSnapshot().parentId()).isEqualTo(concurrentSnapshot);
    } else {
      assertThat(currentId(table)).isEqualTo(shop.s2());
    }
  }
}
