package org.rollbackjobs.iceberg.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/** Writes and reads rows of a table with Iceberg's generic Parquet reader and writer. */
public final class GenericDataFiles {
  private GenericDataFiles() {}

  /** Writes {@code records} to one new Parquet data file of an unpartitioned table; the caller commits it. */
  public static DataFile write(Table table, Iterable<Record> records) {
    OutputFile out = table.io().newOutputFile(
        table.locationProvider().newDataLocation(UUID.randomUUID() + ".parquet"));
    try {
      DataWriter<Record> writer = Parquet.writeData(out)
          .schema(table.schema())
          .setAll(table.properties()) // row group, page and dictionary sizes, codec: as the table says
          .createWriterFunc(type -> GenericParquetWriter.create(table.schema(), type))
          .withSpec(table.spec())
          .overwrite()
          .build();
      try (writer) {
        records.forEach(writer::write);
      }
      return writer.toDataFile();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a data file for table " + table.name(), e);
    }
  }

  /** All rows of the table at {@code snapshotId}, or at its current snapshot when null. */
  public static List<Record> read(Table table, Long snapshotId) {
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table);
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = scan.build()) {
      records.forEach(r -> rows.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read table " + table.name(), e);
    }
    return rows;
  }
}
