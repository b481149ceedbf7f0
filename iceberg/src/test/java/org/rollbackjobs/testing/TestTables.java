package org.rollbackjobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.apache.iceberg.types.Types;

/** Writes real Parquet data and delete files for a table with Iceberg's generic writers, and reads rows back. */
public final class TestTables {
  private TestTables() {}

  /** Writes one unpartitioned Parquet data file holding {@code records}; the caller commits it. */
  public static DataFile writeDataFile(Table table, List<Record> records) {
    return GenericDataFiles.write(table, records);
  }

  /** Writes a position delete file removing the given row positions of {@code dataFile} (file-scoped). */
  public static DeleteFile writePositionDeletes(Table table, DataFile dataFile, long... positions) {
    return writePositionDeletes(table, Map.of(dataFile, positions));
  }

  /** One position delete file covering the given positions of one or several data files. */
  public static DeleteFile writePositionDeletes(Table table, Map<DataFile, long[]> positions) {
    OutputFile out = table.io().newOutputFile(
        table.locationProvider().newDataLocation("delete-" + UUID.randomUUID() + ".parquet"));
    try {
      // path and position only: no row schema (forTable would set one), so Iceberg's own path/pos writer is used;
      // a table-schema writer function does not match the delete file's (file_path, pos, row) layout
      PositionDeleteWriter<Record> writer = Parquet.writeDeletes(out)
          .withSpec(table.spec())
          .setAll(table.properties())
          .metricsConfig(MetricsConfig.forPositionDelete(table))
          .overwrite()
          .buildPositionWriter();
      try (writer) {
        PositionDelete<Record> delete = PositionDelete.create();
        List<DataFile> files = new ArrayList<>(positions.keySet());
        files.sort(Comparator.comparing(DataFile::location)); // position deletes are sorted by path, then position
        for (DataFile file : files) {
          long[] sorted = positions.get(file).clone();
          Arrays.sort(sorted);
          for (long position : sorted) {
            writer.write(delete.set(file.location(), position, null));
          }
        }
      }
      return writer.toDeleteFile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Record record(Table table, Object... values) {
    GenericRecord record = GenericRecord.create(table.schema());
    for (int i = 0; i < values.length; i++) {
      record.set(i, values[i]);
    }
    return record;
  }

  /** All rows of the table at {@code snapshotId} (current when null), as sorted strings, for whole-content comparison. */
  public static List<String> rows(Table table, Long snapshotId) {
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table);
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = scan.build()) {
      for (Record r : records) {
        rows.add(format(r));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  /**
   * {@code Record(v1, v2, ...)} over the table's own columns only: a scan that applies position deletes adds
   * the {@code _pos} metadata column to the records of the files it applies them to, which would make equal
   * content compare unequal depending on which delete files happen to be in reach.
   */
  private static String format(Record r) {
    List<Types.NestedField> fields = r.struct().fields();
    StringBuilder text = new StringBuilder("Record(");
    boolean first = true;
    for (int i = 0; i < fields.size(); i++) {
      if (MetadataColumns.isMetadataColumn(fields.get(i).fieldId())) {
        continue;
      }
      if (!first) {
        text.append(", ");
      }
      text.append(r.get(i));
      first = false;
    }
    return text.append(')').toString();
  }

}
