package org.rollbackjobs.iceberg.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Instant;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.ShopHistory;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.restore.RestoreResult;
import org.rollbackjobs.iceberg.restore.RestoreTable;

/** Resolution of ids, instants and tags on a real table, and the history listing. Refusals: RestoreBadInputTest. */
class SnapshotResolverTest {
  @TempDir static Path warehouse;
  static Catalog catalog;

  ShopHistory shop;
  Table table;

  @BeforeAll
  static void catalog() {
    catalog = Fixtures.catalog("snapshot_resolver_test", warehouse);
  }

  @BeforeEach
  void table() {
    shop = ShopHistory.create(catalog, "resolver");
    table = shop.table();
  }

  @Test
  void byId() {
    for (long id : new long[] {shop.s1(), shop.s2(), shop.s3(), shop.s4(), shop.s5()}) {
      assertThat(SnapshotResolver.resolve(table, SnapshotTarget.id(id)).snapshotId()).isEqualTo(id);
    }
  }

  @Test
  void byInstantIsTheSnapshotThatWasCurrentThen() {
    long t1 = shop.timestamp(shop.s1());
    long t2 = shop.timestamp(shop.s2());
    long t3 = shop.timestamp(shop.s3());
    long t5 = shop.timestamp(shop.s5());

    assertThat(asOf(t1)).as("exactly at the first commit").isEqualTo(shop.s1());
    assertThat(asOf(t2 - 1)).isEqualTo(shop.s1());
    assertThat(asOf(t2)).as("exactly at a commit").isEqualTo(shop.s2());
    assertThat(asOf(t2 + (t3 - t2) / 2)).as("between two commits").isEqualTo(shop.s2());
    assertThat(asOf(t3 - 1)).isEqualTo(shop.s2());
    assertThat(asOf(t5)).isEqualTo(shop.s5());
    assertThat(asOf(System.currentTimeMillis() + 86_400_000L)).as("in the future: current").isEqualTo(shop.s5());
  }

  @Test
  void byInstantFollowsTheTableHistoryNotTheAncestry() {
    long t4 = shop.timestamp(shop.s4());
    long t5 = shop.timestamp(shop.s5());
    RestoreResult pointer = RestoreTable.of(table).to(SnapshotTarget.id(shop.s2())).mode(RestoreMode.POINTER).commit();
    assertThat(pointer.changed()).isTrue();
    table.refresh();
    long rolledBackAt = table.history().get(table.history().size() - 1).timestampMillis();
    Fixtures.tick(table);

    // before the rollback the table was at s4, then s5; since the rollback it is at s2 again
    assertThat(asOf(t4 + (t5 - t4) / 2)).isEqualTo(shop.s4());
    assertThat(asOf(rolledBackAt - 1)).isEqualTo(shop.s5());
    assertThat(asOf(rolledBackAt)).isEqualTo(shop.s2());
    assertThat(asOf(System.currentTimeMillis())).isEqualTo(shop.s2());

    RestoreResult commit = RestoreTable.of(table).to(SnapshotTarget.id(shop.s5())).mode(RestoreMode.COMMIT).commit();
    assertThat(asOf(System.currentTimeMillis())).isEqualTo(commit.newCurrentSnapshotId());
  }

  @Test
  void byTag() {
    assertThat(SnapshotResolver.resolve(table, SnapshotTarget.tag(ShopHistory.TAG)).snapshotId()).isEqualTo(shop.s2());
  }

  @Test
  void describe() {
    assertThat(SnapshotTarget.id(42).describe()).isEqualTo("snapshot 42");
    assertThat(SnapshotTarget.asOf(Instant.parse("2025-01-02T03:04:05Z")).describe())
        .isEqualTo("timestamp 2025-01-02T03:04:05Z");
    assertThat(SnapshotTarget.tag("known-good").describe()).isEqualTo("tag known-good");
  }

  @Test
  void history() {
    TableHistory history = TableHistory.of(table);

    assertThat(history.table()).isEqualTo(table.name());
    assertThat(history.currentSnapshotId()).isEqualTo(shop.s5());
    assertThat(history.snapshots())
        .extracting(SnapshotInfo::snapshotId, SnapshotInfo::parentId, SnapshotInfo::operation, SnapshotInfo::current)
        .containsExactly(
            tuple(shop.s1(), null, "append", false),
            tuple(shop.s2(), shop.s1(), "append", false),
            tuple(shop.s3(), shop.s2(), "overwrite", false),
            tuple(shop.s4(), shop.s3(), "delete", false),
            tuple(shop.s5(), shop.s4(), "append", true));
    assertThat(history.snapshots())
        .extracting(SnapshotInfo::addedRecords, SnapshotInfo::deletedRecords, SnapshotInfo::addedDataFiles,
            SnapshotInfo::deletedDataFiles, SnapshotInfo::totalRecords, SnapshotInfo::totalDataFiles)
        .containsExactly(
            tuple(5L, 0L, 2L, 0L, 5L, 2L),
            tuple(4L, 0L, 1L, 0L, 9L, 3L),
            tuple(3L, 3L, 1L, 1L, 9L, 3L),
            tuple(0L, 2L, 0L, 1L, 7L, 2L),
            tuple(3L, 0L, 1L, 0L, 10L, 3L));
    assertThat(history.snapshots()).extracting(SnapshotInfo::timestamp).isSorted();
    assertThat(history.refs()).containsExactly(
        new RefInfo(ShopHistory.BRANCH, "branch", shop.s3()),
        new RefInfo("main", "branch", shop.s5()),
        new RefInfo(ShopHistory.TAG, "tag", shop.s2()));
  }

  private long asOf(long millis) {
    table.refresh();
    return SnapshotResolver.resolve(table, SnapshotTarget.asOf(Instant.ofEpochMilli(millis))).snapshotId();
  }
}
