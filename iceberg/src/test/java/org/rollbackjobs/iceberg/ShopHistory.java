package org.rollbackjobs.iceberg;

import static org.rollbackjobs.iceberg.Fixtures.currentId;
import static org.rollbackjobs.iceberg.Fixtures.dataFile;
import static org.rollbackjobs.iceberg.Fixtures.records;
import static org.rollbackjobs.iceberg.Fixtures.tick;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.testing.TestTables;

/**
 * A format-version 2 table with five snapshots, each at a distinct millisecond:
 *
 * <pre>
 * s1  append    f1 (ids 1-3), f2 (ids 4-5)              5 rows
 * s2  append    f3 (ids 6-9)                            9 rows  tag "known-good"
 * s3  overwrite delete f1, add f1b (ids 1-3, new values) 9 rows  branch "audit"
 * s4  delete    f2                                      7 rows
 * s5  append    f4 (ids 10-12)                         10 rows  current
 * </pre>
 */
public record ShopHistory(
    Table table, long s1, long s2, long s3, long s4, long s5,
    DataFile f1, DataFile f2, DataFile f3, DataFile f1b, DataFile f4) {

  public static final String TAG = "known-good";
  public static final String BRANCH = "audit";

  public static ShopHistory create(Catalog catalog, String prefix) {
    Table table = Fixtures.createTable(catalog, "shop", prefix);

    DataFile f1 = dataFile(table, 1, 3, "first");
    DataFile f2 = dataFile(table, 4, 2, "first");
    table.newAppend().appendFile(f1).appendFile(f2).commit();
    long s1 = currentId(table);
    tick(table);

    DataFile f3 = dataFile(table, 6, 4, "second");
    table.newAppend().appendFile(f3).commit();
    long s2 = currentId(table);
    tick(table);

    DataFile f1b = TestTables.writeDataFile(table, records(table, 1, 3, "corrected", 100.0));
    table.newOverwrite().deleteFile(f1).addFile(f1b).commit();
    long s3 = currentId(table);
    tick(table);

    table.newDelete().deleteFile(f2).commit();
    long s4 = currentId(table);
    tick(table);

    DataFile f4 = dataFile(table, 10, 3, "third");
    table.newAppend().appendFile(f4).commit();
    long s5 = currentId(table);
    tick(table);

    table.manageSnapshots().createTag(TAG, s2).createBranch(BRANCH, s3).commit();
    table.refresh();
    tick(table);
    return new ShopHistory(table, s1, s2, s3, s4, s5, f1, f2, f3, f1b, f4);
  }

  public long timestamp(long snapshotId) {
    return table.snapshot(snapshotId).timestampMillis();
  }
}
