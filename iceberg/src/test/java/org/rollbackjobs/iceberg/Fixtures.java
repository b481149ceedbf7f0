package org.rollbackjobs.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.testing.TestTables;

/** Real JDBC-catalog Iceberg tables on the test PostgreSQL, for the restore tests and the benchmark. */
public final class Fixtures {
  public static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "name", Types.StringType.get()),
      Types.NestedField.optional(3, "amount", Types.DoubleType.get()));

  private static final AtomicInteger TABLES = new AtomicInteger();

  private Fixtures() {}

  /** A JDBC catalog on the test database; the name keeps test classes apart inside the shared database. */
  public static Catalog catalog(String name, Path warehouse) {
    return CatalogLoader.load(name + "_" + UUID.randomUUID().toString().substring(0, 8),
        TestPostgres.get().jdbcCatalogProperties(warehouse));
  }

  /** Creates {@code ns.<prefix>_<n>} (format version 2, unpartitioned) with a table name unique in this JVM. */
  public static Table createTable(Catalog catalog, String namespace, String prefix) {
    String name = namespace + "." + prefix + "_" + TABLES.incrementAndGet();
    TableIdentifier id = TableName.parse(name);
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(id.namespace())) {
      namespaces.createNamespace(id.namespace());
    }
    return catalog.createTable(id, SCHEMA, PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
  }

  /** Rows {@code firstId .. firstId+count-1} named {@code <label>-<id>} with amount {@code id * factor}. */
  public static List<Record> records(Table table, long firstId, int count, String label, double factor) {
    List<Record> records = new ArrayList<>(count);
    for (long id = firstId; id < firstId + count; id++) {
      records.add(TestTables.record(table, id, label + "-" + id, id * factor));
    }
    return records;
  }

  public static DataFile dataFile(Table table, long firstId, int count, String label) {
    return TestTables.writeDataFile(table, records(table, firstId, count, label, 1.5));
  }

  public static String metadataLocation(Table table) {
    return ((HasTableOperations) table).operations().refresh().metadataFileLocation();
  }

  public static long currentId(Table table) {
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  /**
   * Waits until the clock is a few milliseconds past the table's latest commit, so that the next commit gets
   * a distinct timestamp and an instant strictly between two commits exists.
   */
  public static void tick(Table table) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    long after = Math.max(current == null ? 0 : current.timestampMillis(), opsOf(table).current().lastUpdatedMillis());
    while (System.currentTimeMillis() < after + 5) {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static org.apache.iceberg.TableOperations opsOf(Table table) {
    return ((HasTableOperations) table).operations();
  }

  /** One position delete file covering several data files (not file-scoped). */
  public static DeleteFile writePositionDeletes(Table table, Map<DataFile, long[]> positions) {
    return TestTables.writePositionDeletes(table, positions);
  }

  /** Equality delete file on {@code id} removing the given ids. */
  public static DeleteFile writeIdEqualityDeletes(Table table, long... ids) {
    Schema deleteSchema = table.schema().select("id");
    OutputFile out = table.io().newOutputFile(
        table.locationProvider().newDataLocation("eq-delete-" + UUID.randomUUID() + ".parquet"));
    try {
      EqualityDeleteWriter<Record> writer = Parquet.writeDeletes(out)
          .forTable(table)
          .rowSchema(deleteSchema)
          .createWriterFunc(type -> GenericParquetWriter.create(deleteSchema, type))
          .withSpec(table.spec())
          .equalityFieldIds(table.schema().findField("id").fieldId())
          .overwrite()
          .buildEqualityWriter();
      try (writer) {
        for (long id : ids) {
          GenericRecord r = GenericRecord.create(deleteSchema);
          r.set(0, id);
          writer.write(r);
        }
      }
      return writer.toDeleteFile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
