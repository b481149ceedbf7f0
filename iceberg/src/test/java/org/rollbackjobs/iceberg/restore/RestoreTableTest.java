package org.rollbackjobs.iceberg.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rollbackjobs.iceberg.Fixtures.metadataLocation;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.ShopHistory;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.testing.TestTables;

/** Restores of a table with appends, an overwrite and a delete in its history, in both modes. */
class RestoreTableTest {
  @TempDir static Path warehouse;
  static Catalog catalog;

  ShopHistory shop;
  Table table;

  @BeforeAll
  static void catalog() {
    catalog = Fixtures.catalog("restore_table_test", warehouse);
  }

  @BeforeEach
  void table() {
    shop = ShopHistory.create(catalog, "restore");
    table = shop.table();
  }

  @Test
  void historyIsWhatTheOtherTestsAssume() {
    assertThat(TestTables.rows(table, shop.s1())).hasSize(5);
    assertThat(TestTables.rows(table, shop.s2())).hasSize(9);
    assertThat(TestTables.rows(table, shop.s3())).hasSize(9);
    assertThat(TestTables.rows(table, shop.s4())).hasSize(7);
    assertThat(TestTables.rows(table, null)).hasSize(10).isEqualTo(TestTables.rows(table, shop.s5()));
    assertThat(TestTables.rows(table, shop.s3())).isNotEqualTo(TestTables.rows(table, shop.s2()));
    assertThat(List.of(shop.s1(), shop.s2(), shop.s3(), shop.s4(), shop.s5()))
        .extracting(shop::timestamp).isSorted().doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void aBranchIsRestoredWhileMainStaysWhereItIs(RestoreMode mode) {
    table.manageSnapshots().createBranch("drill-1", shop.s5()).commit();
    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(shop.s2())).mode(mode).toBranch("drill-1")
        .set(Lineage.REASON, "drill").commit();
    table.refresh();

    long head = table.refs().get("drill-1").snapshotId();
    assertThat(result.newCurrentSnapshotId()).as("the branch's new head").isEqualTo(head);
    assertThat(TestTables.rows(table, head)).isEqualTo(TestTables.rows(table, shop.s2()));
    assertThat(table.currentSnapshot().snapshotId()).as("main").isEqualTo(shop.s5());
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s5()));
    if (mode == RestoreMode.COMMIT) {
      assertThat(table.snapshot(head).parentId()).isEqualTo(shop.s5());
      assertThat(table.snapshot(head).summary()).containsEntry(Lineage.TARGET_SNAPSHOT, Long.toString(shop.s2()));
    } else {
      assertThat(head).isEqualTo(shop.s2());
    }
  }

  @Test
  void aBranchThatDoesNotExistIsBadInput() {
    assertThatThrownBy(() -> RestoreTable.of(table).to(SnapshotTarget.id(shop.s2())).toBranch("drill-2").plan())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("has no branch 'drill-2' (branches: audit, main)");
    assertThat(table.refs()).doesNotContainKey("drill-2");
  }

  @Test
  void commitModeMakesANewSnapshotWithTheTargetContentAndLineage() {
    String before = metadataLocation(table);
    int snapshotsBefore = snapshotCount();

    RestoreTable restore = RestoreTable.of(table)
        .to(SnapshotTarget.id(shop.s2()))
        .mode(RestoreMode.COMMIT)
        .set(Lineage.REASON, "bad upstream load")
        .set(Lineage.JOB_EXECUTION, "4711");
    RestorePlan plan = restore.plan();

    // s5 = f1b, f3, f4; s2 = f1, f2, f3
    assertThat(plan.mode()).isEqualTo(RestoreMode.COMMIT);
    assertThat(plan.target()).isEqualTo("snapshot " + shop.s2());
    assertThat(plan.fromSnapshotId()).isEqualTo(shop.s5());
    assertThat(plan.toSnapshotId()).isEqualTo(shop.s2());
    assertThat(plan.filesToRestore()).containsExactlyInAnyOrder(loc(shop.f1()), loc(shop.f2()));
    assertThat(plan.filesToDiscard()).containsExactlyInAnyOrder(loc(shop.f1b()), loc(shop.f4()));
    assertThat(plan.rowsToRestore()).isEqualTo(5);
    assertThat(plan.rowsToDiscard()).isEqualTo(6);
    assertThat(plan.deleteFilesToRestore()).isEmpty();
    assertThat(plan.deleteFilesToDiscard()).isEmpty();
    assertThat(plan.targetFiles()).isEqualTo(3);
    assertThat(plan.targetRows()).isEqualTo(9);
    assertThat(plan.alreadyAtTarget()).isFalse();
    assertThat(metadataLocation(table)).as("plan() changes nothing").isEqualTo(before);

    RestoreResult result = restore.commit();

    table.refresh();
    Snapshot restored = table.currentSnapshot();
    assertThat(result.changed()).isTrue();
    assertThat(result.plan()).isSameAs(plan);
    assertThat(result.newCurrentSnapshotId()).isEqualTo(restored.snapshotId());
    assertThat(restored.snapshotId()).isNotIn(shop.s1(), shop.s2(), shop.s3(), shop.s4(), shop.s5());
    assertThat(restored.parentId()).as("history kept: the restore is a child of the old current").isEqualTo(shop.s5());
    assertThat(snapshotCount()).isEqualTo(snapshotsBefore + 1);
    assertThat(table.snapshot(shop.s5())).as("the bad snapshot is still there").isNotNull();
    assertThat(metadataLocation(table)).isNotEqualTo(before);

    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s2()));

    assertThat(restored.summary())
        .containsEntry(Lineage.TARGET_SNAPSHOT, Long.toString(shop.s2()))
        .containsEntry(Lineage.FROM_SNAPSHOT, Long.toString(shop.s5()))
        .containsEntry(Lineage.MODE, "commit")
        .containsEntry(Lineage.REASON, "bad upstream load")
        .containsEntry(Lineage.JOB_EXECUTION, "4711")
        .containsEntry("total-data-files", "3")
        .containsEntry("total-records", "9");
  }

  @Test
  void commitModeToTheFirstSnapshotDiscardsEverythingAddedLater() {
    RestorePlan plan = RestoreTable.of(table).to(SnapshotTarget.id(shop.s1())).plan();

    assertThat(plan.mode()).as("commit is the default mode").isEqualTo(RestoreMode.COMMIT);
    assertThat(plan.filesToRestore()).containsExactlyInAnyOrder(loc(shop.f1()), loc(shop.f2()));
    assertThat(plan.filesToDiscard()).containsExactlyInAnyOrder(loc(shop.f1b()), loc(shop.f3()), loc(shop.f4()));
    assertThat(plan.rowsToRestore()).isEqualTo(5);
    assertThat(plan.rowsToDiscard()).isEqualTo(10);
    assertThat(plan.targetFiles()).isEqualTo(2);
    assertThat(plan.targetRows()).isEqualTo(5);

    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(shop.s1())).commit();

    assertThat(result.changed()).isTrue();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s1())).hasSize(5);
  }

  @Test
  void commitModeRollsForwardToTheFormerLatestSnapshot() {
    RestoreResult back = RestoreTable.of(table).to(SnapshotTarget.id(shop.s2())).mode(RestoreMode.COMMIT).commit();
    long restoreSnapshot = back.newCurrentSnapshotId();

    RestoreTable forward = RestoreTable.of(table).to(SnapshotTarget.id(shop.s5())).mode(RestoreMode.COMMIT)
        .set(Lineage.REASON, "roll forward");
    RestorePlan plan = forward.plan();
    assertThat(plan.fromSnapshotId()).isEqualTo(restoreSnapshot);
    assertThat(plan.filesToRestore()).containsExactlyInAnyOrder(loc(shop.f1b()), loc(shop.f4()));
    assertThat(plan.filesToDiscard()).containsExactlyInAnyOrder(loc(shop.f1()), loc(shop.f2()));
    assertThat(plan.rowsToRestore()).isEqualTo(6);
    assertThat(plan.rowsToDiscard()).isEqualTo(5);

    RestoreResult result = forward.commit();

    table.refresh();
    assertThat(result.changed()).isTrue();
    assertThat(table.currentSnapshot().parentId()).isEqualTo(restoreSnapshot);
    assertThat(table.currentSnapshot().summary())
        .containsEntry(Lineage.TARGET_SNAPSHOT, Long.toString(shop.s5()))
        .containsEntry(Lineage.REASON, "roll forward");
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s5()));
    assertThat(snapshotCount()).isEqualTo(7);
  }

  @Test
  void pointerModeMakesTheTargetTheCurrentSnapshot() {
    int snapshotsBefore = snapshotCount();

    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(shop.s2())).mode(RestoreMode.POINTER)
        .set(Lineage.REASON, "ignored in pointer mode").commit();

    table.refresh();
    assertThat(result.changed()).isTrue();
    assertThat(result.plan().mode()).isEqualTo(RestoreMode.POINTER);
    assertThat(result.plan().filesToRestore()).containsExactlyInAnyOrder(loc(shop.f1()), loc(shop.f2()));
    assertThat(result.plan().filesToDiscard()).containsExactlyInAnyOrder(loc(shop.f1b()), loc(shop.f4()));
    assertThat(result.newCurrentSnapshotId()).isEqualTo(shop.s2());
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(shop.s2());
    assertThat(snapshotCount()).as("no new snapshot").isEqualTo(snapshotsBefore);
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s2()));
    // refs other than main are not touched
    assertThat(table.refs().get(ShopHistory.TAG).snapshotId()).isEqualTo(shop.s2());
    assertThat(table.refs().get(ShopHistory.BRANCH).snapshotId()).isEqualTo(shop.s3());

    // roll forward: s5 is no longer an ancestor of main, but still in the metadata
    RestoreResult forward = RestoreTable.of(table).to(SnapshotTarget.id(shop.s5())).mode(RestoreMode.POINTER).commit();
    table.refresh();
    assertThat(forward.changed()).isTrue();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(shop.s5());
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s5()));
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void targetByTimestampIsTheTableAsItWasAtThatInstant(RestoreMode mode) {
    long t2 = shop.timestamp(shop.s2());
    long t3 = shop.timestamp(shop.s3());
    Instant between = Instant.ofEpochMilli(t2 + (t3 - t2) / 2);
    assertThat(between.toEpochMilli()).isGreaterThanOrEqualTo(t2).isLessThan(t3);

    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.asOf(between)).mode(mode).commit();

    assertThat(result.plan().toSnapshotId()).isEqualTo(shop.s2());
    assertThat(result.plan().target()).isEqualTo("timestamp " + between);
    assertThat(result.changed()).isTrue();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s2()));
    if (mode == RestoreMode.POINTER) {
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(shop.s2());
    } else {
      assertThat(table.currentSnapshot().parentId()).isEqualTo(shop.s5());
    }
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void targetByTag(RestoreMode mode) {
    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.tag(ShopHistory.TAG)).mode(mode)
        .set(Lineage.REASON, "back to known-good").commit();

    table.refresh();
    assertThat(result.plan().toSnapshotId()).isEqualTo(shop.s2());
    assertThat(result.plan().target()).isEqualTo("tag " + ShopHistory.TAG);
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, shop.s2()));
    if (mode == RestoreMode.POINTER) {
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(shop.s2());
    } else {
      assertThat(table.currentSnapshot().summary())
          .containsEntry(Lineage.TARGET_SNAPSHOT, Long.toString(shop.s2()))
          .containsEntry(Lineage.REASON, "back to known-good");
    }
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void restoringToTheCurrentSnapshotChangesNothing(RestoreMode mode) {
    String before = metadataLocation(table);

    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(shop.s5())).mode(mode).commit();

    assertThat(result.changed()).isFalse();
    assertThat(result.plan().alreadyAtTarget()).isTrue();
    assertThat(result.plan().filesToRestore()).isEmpty();
    assertThat(result.plan().filesToDiscard()).isEmpty();
    assertThat(result.newCurrentSnapshotId()).isEqualTo(shop.s5());
    assertThat(metadataLocation(table)).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void restoringToASnapshotWithTheCurrentContentChangesNothing(RestoreMode mode) {
    RestoreResult first = RestoreTable.of(table).to(SnapshotTarget.id(shop.s2())).mode(RestoreMode.COMMIT).commit();
    String before = metadataLocation(table);

    // the current snapshot is the restore commit, not s2, but its content is s2's
    RestoreResult again = RestoreTable.of(table).to(SnapshotTarget.tag(ShopHistory.TAG)).mode(mode).commit();

    assertThat(again.changed()).isFalse();
    assertThat(again.plan().alreadyAtTarget()).isTrue();
    assertThat(again.newCurrentSnapshotId()).isEqualTo(first.newCurrentSnapshotId());
    assertThat(metadataLocation(table)).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void planAloneChangesNothing(RestoreMode mode) {
    String before = metadataLocation(table);

    RestorePlan plan = RestoreTable.of(table).to(SnapshotTarget.id(shop.s1())).mode(mode).plan();

    assertThat(plan.alreadyAtTarget()).isFalse();
    assertThat(metadataLocation(table)).isEqualTo(before);
    assertThat(Fixtures.currentId(table)).isEqualTo(shop.s5());
  }

  private int snapshotCount() {
    table.refresh();
    return (int) StreamSupport.stream(table.snapshots().spliterator(), false).count();
  }

  private static String loc(DataFile file) {
    return file.location();
  }
}
