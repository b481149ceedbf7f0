package org.rollbackjobs.iceberg.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rollbackjobs.iceberg.Fixtures.currentId;
import static org.rollbackjobs.iceberg.Fixtures.dataFile;
import static org.rollbackjobs.iceberg.Fixtures.metadataLocation;
import static org.rollbackjobs.iceberg.Fixtures.tick;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.testing.TestTables;

/**
 * Format-version 2 tables with row-level deletes. Every restore is checked against a time-travel read of the
 * target: the content must be equal row for row, whatever the sequence numbers of the re-added files are.
 *
 * <pre>
 * s1  append     d1 (ids 1-5)
 * s2  row delta  p1: position deletes of rows 1 and 3 of d1 (ids 2 and 4)
 * s3  append     d2 (ids 6-7)                                        current
 * </pre>
 */
class RestoreWithDeleteFilesTest {
  @TempDir static Path warehouse;
  static Catalog catalog;

  Table table;
  DataFile d1;
  DataFile d2;
  DeleteFile p1;
  long s1;
  long s2;
  long s3;

  @BeforeAll
  static void catalog() {
    catalog = Fixtures.catalog("restore_deletes_test", warehouse);
  }

  @BeforeEach
  void table() {
    table = Fixtures.createTable(catalog, "shop", "deletes");
    d1 = dataFile(table, 1, 5, "d1");
    table.newAppend().appendFile(d1).commit();
    s1 = currentId(table);
    tick(table);
    p1 = TestTables.writePositionDeletes(table, d1, 1, 3);
    table.newRowDelta().addDeletes(p1).commit();
    s2 = currentId(table);
    tick(table);
    d2 = dataFile(table, 6, 2, "d2");
    table.newAppend().appendFile(d2).commit();
    s3 = currentId(table);
    tick(table);
  }

  @Test
  void fixtureDeletesTwoRows() {
    assertThat(TestTables.rows(table, s1)).hasSize(5);
    assertThat(TestTables.rows(table, s2)).hasSize(3).noneMatch(r -> r.contains("d1-2") || r.contains("d1-4"));
    assertThat(TestTables.rows(table, s3)).hasSize(5);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void restoreToBeforeThePositionDeletes(RestoreMode mode) {
    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(s1)).mode(mode).commit();

    RestorePlan plan = result.plan();
    assertThat(plan.filesToRestore()).isEmpty();
    assertThat(plan.filesToDiscard()).containsExactly(d2.location());
    assertThat(plan.rowsToDiscard()).isEqualTo(2);
    assertThat(plan.deleteFilesToRestore()).isEmpty();
    assertThat(plan.deleteFilesToDiscard()).containsExactly(p1.location());
    assertThat(result.changed()).isTrue();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s1)).hasSize(5);
    assertMode(mode, s1, s3);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void restoreToAfterThePositionDeletes(RestoreMode mode) {
    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(s2)).mode(mode).commit();

    assertThat(result.plan().filesToDiscard()).containsExactly(d2.location());
    assertThat(result.plan().deleteFilesToRestore()).isEmpty();
    assertThat(result.plan().deleteFilesToDiscard()).isEmpty();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s2)).hasSize(3);
    assertMode(mode, s2, s3);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void restoreToBeforeThenBackToAfterThePositionDeletes(RestoreMode mode) {
    RestoreTable.of(table).to(SnapshotTarget.id(s1)).mode(mode).commit();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s1));

    // commit mode adds p1 back, with a new sequence number: it must still hide rows 1 and 3 of d1
    RestoreResult toS2 = RestoreTable.of(table).to(SnapshotTarget.id(s2)).mode(mode).commit();
    assertThat(toS2.plan().deleteFilesToRestore()).containsExactly(p1.location());
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s2));

    // back to s3 adds d2 back while p1 (which covers only d1) stays
    rollForward(mode, s3);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void rollForwardOverAnUnrelatedPositionDeleteFile(RestoreMode mode) {
    // undo the append of d2, then roll forward to it again; p1 only references d1
    RestoreResult undo = RestoreTable.of(table).to(SnapshotTarget.id(s2)).mode(mode).commit();
    assertThat(undo.changed()).isTrue();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s2));

    rollForward(mode, s3);
  }

  /**
   * Adds d2 back while p1 stays in the table. p1 only references d1 (its file-path bounds say so), so both
   * modes restore exactly; commit mode refuses only when a kept delete file may cover a re-added data file.
   */
  private void rollForward(RestoreMode mode, long target) {
    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(target)).mode(mode).commit();
    assertThat(result.changed()).isTrue();
    if (mode == RestoreMode.POINTER) {
      assertThat(currentId(table)).isEqualTo(target);
    }
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, target));
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void restoreDataFileTogetherWithItsPositionDeletes(RestoreMode mode) {
    // s4 removes d1 and its delete file: only d2 is left
    table.newRowDelta().removeRows(d1).removeDeletes(p1).commit();
    long s4 = currentId(table);
    assertThat(TestTables.rows(table, s4)).hasSize(2);

    RestoreResult result = RestoreTable.of(table).to(SnapshotTarget.id(s3)).mode(mode).commit();

    assertThat(result.plan().filesToRestore()).containsExactly(d1.location());
    assertThat(result.plan().deleteFilesToRestore()).containsExactly(p1.location());
    assertThat(result.plan().rowsToRestore()).isEqualTo(5);
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s3)).hasSize(5);
    assertMode(mode, s3, s4);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void compactedDataFileIsRemovedWithItsFileScopedPositionDeletes(RestoreMode mode) {
    // s4 rewrites d1 without the deleted rows; p1 references only d1, so Iceberg drops it with d1
    DataFile d1Compacted = TestTables.writeDataFile(table, oddIds(1, 5, "d1"));
    table.newOverwrite().deleteFile(d1).addFile(d1Compacted).commit();
    long s4 = currentId(table);
    assertThat(TestTables.rows(table, s4)).isEqualTo(TestTables.rows(table, s3));

    assertThat(SnapshotFiles.of(table, table.snapshot(s4)).deleteFiles()).isEmpty();

    // back to s3: d1 and p1 are added back together (commit mode) and p1 still reaches d1
    RestoreResult toS3 = RestoreTable.of(table).to(SnapshotTarget.id(s3)).mode(mode).commit();
    assertThat(toS3.plan().filesToRestore()).containsExactly(d1.location());
    assertThat(toS3.plan().deleteFilesToRestore()).containsExactly(p1.location());
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s3));

    RestoreResult toS1 = RestoreTable.of(table).to(SnapshotTarget.id(s1)).mode(mode).commit();
    assertThat(toS1.changed()).isTrue();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s1)).hasSize(5);

    RestoreResult toS2 = RestoreTable.of(table).to(SnapshotTarget.id(s2)).mode(mode).commit();
    assertThat(toS2.changed()).isTrue();
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s2)).hasSize(3);
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void dataFileWhosePositionDeleteFileStayed(RestoreMode mode) {
    // a table of its own: one position delete file that covers two data files stays when one of them is
    // compacted away; adding that data file back with a new sequence number would put it out of the delete
    // file's reach, so commit mode must refuse
    Table t = Fixtures.createTable(catalog, "shop", "multi_deletes");
    DataFile a = dataFile(t, 1, 4, "a");
    DataFile b = dataFile(t, 11, 4, "b");
    t.newAppend().appendFile(a).appendFile(b).commit();
    tick(t);
    DeleteFile both = Fixtures.writePositionDeletes(t, Map.of(a, new long[] {0, 2}, b, new long[] {1}));
    t.newRowDelta().addDeletes(both).commit();
    long withDeletes = currentId(t);
    tick(t);
    DataFile aCompacted = TestTables.writeDataFile(t, List.of(
        TestTables.record(t, 2L, "a-2", 3.0), TestTables.record(t, 4L, "a-4", 6.0)));
    t.newOverwrite().deleteFile(a).addFile(aCompacted).commit();
    long compacted = currentId(t);
    t.refresh();
    assertThat(t.currentSnapshot().deleteManifests(t.io())).as("the delete file stays for b").isNotEmpty();
    assertThat(TestTables.rows(t, compacted)).isEqualTo(TestTables.rows(t, withDeletes)).hasSize(5);
    String before = metadataLocation(t);

    if (mode == RestoreMode.COMMIT) {
      assertThatThrownBy(() -> RestoreTable.of(t).to(SnapshotTarget.id(withDeletes)).mode(mode).plan())
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("--mode commit cannot restore table " + t.name() + " to snapshot " + withDeletes)
          .hasMessageContaining("use --mode pointer");
      assertThat(metadataLocation(t)).isEqualTo(before);
      assertThat(currentId(t)).isEqualTo(compacted);
    } else {
      RestoreResult result = RestoreTable.of(t).to(SnapshotTarget.id(withDeletes)).mode(mode).commit();
      assertThat(result.changed()).isTrue();
      assertThat(currentId(t)).isEqualTo(withDeletes);
      assertThat(TestTables.rows(t, null)).isEqualTo(TestTables.rows(t, withDeletes));
    }
  }

  private List<Record> oddIds(long first, int count, String label) {
    return Fixtures.records(table, first, count, label, 1.5).stream()
        .filter(r -> (Long) r.getField("id") % 2 == 1).toList();
  }

  @ParameterizedTest
  @EnumSource(RestoreMode.class)
  void equalityDeletes(RestoreMode mode) {
    // s4: an equality delete of id 6 (in d2) and id 1 (in d1)
    DeleteFile eq = Fixtures.writeIdEqualityDeletes(table, 1, 6);
    table.newRowDelta().addDeletes(eq).commit();
    long s4 = currentId(table);
    tick(table);
    assertThat(TestTables.rows(table, s4)).hasSize(3);

    // dropping the equality delete file is safe in both modes
    RestoreResult toS3 = RestoreTable.of(table).to(SnapshotTarget.id(s3)).mode(mode).commit();
    assertThat(toS3.plan().deleteFilesToDiscard()).containsExactly(eq.location());
    assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s3));

    // re-adding it in commit mode would give it a new sequence number, so commit mode refuses
    String before = metadataLocation(table);
    long current = currentId(table);
    if (mode == RestoreMode.COMMIT) {
      assertThatThrownBy(() -> RestoreTable.of(table).to(SnapshotTarget.id(s4)).mode(mode).commit())
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("use --mode pointer");
      assertThat(metadataLocation(table)).isEqualTo(before);
      assertThat(currentId(table)).isEqualTo(current);
    } else {
      RestoreTable.of(table).to(SnapshotTarget.id(s4)).mode(mode).commit();
      assertThat(currentId(table)).isEqualTo(s4);
      assertThat(TestTables.rows(table, null)).isEqualTo(TestTables.rows(table, s4));
    }
  }

  private void assertMode(RestoreMode mode, long target, long previous) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (mode == RestoreMode.POINTER) {
      assertThat(current.snapshotId()).isEqualTo(target);
    } else {
      assertThat(current.snapshotId()).isNotEqualTo(target);
      assertThat(current.parentId()).isEqualTo(previous);
      assertThat(current.summary()).containsEntry(Lineage.TARGET_SNAPSHOT, Long.toString(target));
    }
  }
}
