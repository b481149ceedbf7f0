package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.CombinedScanTask;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.testing.TestTables;

/**
 * The column reader against Iceberg's generic reader on real Parquet files: the same values, row for row, for
 * every type it covers, with nulls, many row groups and pages, split tasks, and string chunks whose writer fell
 * back from dictionary to plain pages part-way; and the generic reader taking over where it does not cover a task.
 */
class ColumnarSourceReaderTest {
  @TempDir static Path warehouse;
  static Catalog catalog;

  static final Schema ALL_TYPES = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "customer", Types.StringType.get()),
      Types.NestedField.optional(3, "category", Types.StringType.get()),
      Types.NestedField.optional(4, "amount", Types.DoubleType.get()),
      Types.NestedField.optional(5, "ratio", Types.FloatType.get()),
      Types.NestedField.optional(6, "flag", Types.BooleanType.get()),
      Types.NestedField.optional(7, "n", Types.IntegerType.get()),
      Types.NestedField.optional(8, "day", Types.DateType.get()),
      Types.NestedField.optional(9, "ts", Types.TimestampType.withZone()),
      Types.NestedField.optional(10, "local_ts", Types.TimestampType.withoutZone()),
      Types.NestedField.optional(11, "big", Types.LongType.get()));

  @BeforeAll
  static void catalog() {
    catalog = Fixtures.catalog("columnar_reader_test", warehouse);
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("src"));
  }

  @Test
  void readsWhatTheGenericReaderReadsForEveryCoveredType() throws IOException {
    // small row groups and pages, and a dictionary that overflows: plain pages follow dictionary pages in a chunk
    Table table = catalog.createTable(TableIdentifier.of("src", "all_types"), ALL_TYPES, PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2",
            TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, "65536",
            TableProperties.PARQUET_PAGE_ROW_LIMIT, "100",
            TableProperties.PARQUET_DICT_SIZE_BYTES, "8192",
            TableProperties.SPLIT_SIZE, "40000"));
    List<Record> rows = allTypesRows(table.schema(), 20_000);
    table.newAppend()
        .appendFile(GenericDataFiles.write(table, rows.subList(0, 12_000)))
        .appendFile(GenericDataFiles.write(table, rows.subList(12_000, rows.size())))
        .commit();

    List<FileScanTask> splits = splitTasks(table, table.schema());
    assertThat(splits).as("files split into several tasks").hasSizeGreaterThan(2);
    List<FileScanTask> wholeFiles = new ArrayList<>();
    try (CloseableIterable<FileScanTask> files = table.newScan().planFiles()) {
      files.forEach(wholeFiles::add);
    }
    for (FileScanTask file : wholeFiles) {
      List<BlockMetaData> rowGroups = rowGroups(file);
      assertThat(rowGroups).hasSizeGreaterThan(2);
      assertThat(rowGroups.get(0).getColumns().get(1).getEncodings()).as("customer: dictionary pages, then plain")
          .contains(Encoding.PLAIN_DICTIONARY, Encoding.PLAIN);
    }
    for (List<FileScanTask> tasks : List.of(splits, wholeFiles)) {
      long rowsRead = 0;
      for (FileScanTask task : tasks) {
        List<List<Object>> columnar = read(ColumnarSourceReader.open(table, task, table.schema()));
        List<List<Object>> generic = read(SourceReader.open(table, task, table.schema()));
        assertThat(columnar).isEqualTo(generic);
        rowsRead += columnar.size();
      }
      assertThat(rowsRead).isEqualTo(rows.size());
    }

    // column batches hold the same values, in their primitive arrays too
    for (FileScanTask task : splits) {
      assertThat(readBatches(ColumnarSourceReader.openBatches(table, task, table.schema()), table.schema().columns().size()))
          .isEqualTo(read(SourceReader.open(table, task, table.schema())));
    }

    // a projection in another order reads the same values as the generic reader's projection
    Schema projection = table.schema().select("amount", "customer", "ts");
    FileScanTask first = splitTasks(table, projection).get(0);
    assertThat(read(ColumnarSourceReader.open(table, first, projection)))
        .isEqualTo(read(SourceReader.open(table, first, projection)))
        .isNotEmpty();
  }

  @Test
  void readsParquetV2PagesAndDeltaEncodings() throws IOException {
    // Parquet 2.0 writers: data page v2 (levels outside the compressed values), delta-encoded ints, longs and strings
    Table table = catalog.createTable(TableIdentifier.of("src", "v2_pages"), ALL_TYPES, PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
    List<Record> rows = allTypesRows(table.schema(), 7_000);
    org.apache.iceberg.io.OutputFile out = table.io().newOutputFile(table.locationProvider().newDataLocation("v2.parquet"));
    org.apache.iceberg.io.FileAppender<Record> appender = org.apache.iceberg.parquet.Parquet.write(out)
        .schema(table.schema())
        .createWriterFunc(type -> org.apache.iceberg.data.parquet.GenericParquetWriter.create(table.schema(), type))
        .writerVersion(org.apache.parquet.column.ParquetProperties.WriterVersion.PARQUET_2_0)
        .set(TableProperties.PARQUET_PAGE_ROW_LIMIT, "300")
        .set(TableProperties.PARQUET_DICT_SIZE_BYTES, "4096")
        .build();
    try (appender) {
      rows.forEach(appender::add);
    }
    table.newAppend().appendFile(org.apache.iceberg.DataFiles.builder(table.spec())
        .withInputFile(out.toInputFile())
        .withMetrics(appender.metrics())
        .withFormat(org.apache.iceberg.FileFormat.PARQUET)
        .build()).commit();
    FileScanTask task = splitTasks(table, table.schema()).get(0);
    assertThat(rowGroups(task).get(0).getColumns().stream().flatMap(c -> c.getEncodings().stream()))
        .as("delta encodings").contains(Encoding.DELTA_BINARY_PACKED);
    List<List<Object>> generic = read(SourceReader.open(table, task, table.schema()));
    assertThat(generic).hasSize(rows.size());
    assertThat(read(ColumnarSourceReader.open(table, task, table.schema()))).isEqualTo(generic);
    assertThat(readBatches(ColumnarSourceReader.openBatches(table, task, table.schema()), ALL_TYPES.columns().size()))
        .isEqualTo(generic);
  }

  @Test
  void leavesToTheGenericReaderWhatItDoesNotCover() throws IOException {
    Schema schema = new Schema(
        Types.NestedField.required(1, "id", Types.LongType.get()),
        Types.NestedField.optional(2, "n", Types.IntegerType.get()));
    Table table = catalog.createTable(TableIdentifier.of("src", "evolving"), schema, PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
    List<Record> rows = new ArrayList<>();
    for (long id = 0; id < 10; id++) {
      rows.add(TestTables.record(table, id, (int) id * 10));
    }
    DataFile file = GenericDataFiles.write(table, rows);
    table.newAppend().appendFile(file).commit();
    FileScanTask plain = splitTasks(table, table.schema()).get(0);
    assertThat(ColumnarSourceReader.open(table, plain, table.schema())).as("covered before the changes").isNotNull();

    // an int column promoted to long: the old file still holds INT32
    table.updateSchema().updateColumn("n", Types.LongType.get()).addColumn("note", Types.StringType.get()).commit();
    assertFallsBackAndReadsAsIceberg(table, table.schema().select("id", "n"), 10);
    // a column added after the file was written
    assertFallsBackAndReadsAsIceberg(table, table.schema().select("id", "note"), 10);

    // position deletes
    table.newRowDelta().addDeletes(TestTables.writePositionDeletes(table, file, 2, 5)).commit();
    assertFallsBackAndReadsAsIceberg(table, table.schema().select("id"), 8);
  }

  private static void assertFallsBackAndReadsAsIceberg(Table table, Schema projection, int expectedRows)
      throws IOException {
    table.refresh();
    FileScanTask task = splitTasks(table, projection).get(0);
    assertThat(ColumnarSourceReader.open(table, task, projection)).isNull();
    List<List<Object>> rows = read(SourceReader.openRows(table, task, projection));
    assertThat(rows).hasSize(expectedRows).isEqualTo(read(SourceReader.open(table, task, projection)));
  }

  /** The rows of column batches, from {@link ColumnVector#objects}, checked against the primitive arrays. */
  private static List<List<Object>> readBatches(ColumnBatches batches, int width) throws IOException {
    List<List<Object>> values = new ArrayList<>();
    try (batches) {
      for (int count = batches.nextBatch(); count > 0; count = batches.nextBatch()) {
        assertThat(count).isLessThanOrEqualTo(ColumnBatches.CAPACITY);
        int first = values.size();
        for (int r = 0; r < count; r++) {
          values.add(new ArrayList<>());
        }
        for (int c = 0; c < width; c++) {
          ColumnVector column = batches.column(c);
          Object[] objects = column.objects(count);
          for (int r = 0; r < count; r++) {
            assertThat(objects[r] == null).isEqualTo(column.nulls()[r]);
            if (objects[r] instanceof Double d) {
              assertThat(column.doubles()[r]).isEqualTo(d);
            } else if (objects[r] instanceof Long || objects[r] instanceof Integer) {
              assertThat(column.longs()[r]).isEqualTo(((Number) objects[r]).longValue());
            }
            values.get(first + r).add(objects[r]);
          }
        }
      }
    }
    return values;
  }

  private static List<BlockMetaData> rowGroups(FileScanTask task) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(task.file().location()), new Configuration()))) {
      return reader.getRowGroups();
    }
  }

  private static List<FileScanTask> splitTasks(Table table, Schema projection) throws IOException {
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<CombinedScanTask> combined = table.newScan().project(projection).planTasks()) {
      combined.forEach(c -> tasks.addAll(c.files()));
    }
    return tasks;
  }

  private static List<List<Object>> read(CloseableIterable<? extends StructLike> rows) throws IOException {
    List<List<Object>> values = new ArrayList<>();
    try (rows) {
      for (StructLike row : rows) {
        List<Object> copy = new ArrayList<>(row.size());
        for (int i = 0; i < row.size(); i++) {
          copy.add(row.get(i, Object.class));
        }
        values.add(copy);
      }
    }
    return values;
  }

  private static List<Record> allTypesRows(Schema schema, int count) {
    Random random = new Random(7);
    OffsetDateTime start = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    List<Record> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      GenericRecord r = GenericRecord.create(schema);
      r.setField("id", (long) i);
      // few distinct customers at first, then more: the writer starts with a dictionary and falls back to plain
      r.setField("customer", nullOr(random, "customer-" + random.nextInt(20 + (i % 1333) * 5) + "-é"));
      r.setField("category", nullOr(random, "cat" + random.nextInt(7)));
      r.setField("amount", nullOr(random, random.nextDouble() * 1e4));
      r.setField("ratio", nullOr(random, random.nextFloat()));
      r.setField("flag", nullOr(random, random.nextBoolean()));
      r.setField("n", nullOr(random, random.nextInt()));
      r.setField("day", nullOr(random, LocalDate.of(2026, 1, 1).plusDays(random.nextInt(400))));
      r.setField("ts", nullOr(random, start.plusNanos(random.nextInt(1_000_000_000) * 1000L)));
      r.setField("local_ts", nullOr(random, LocalDateTime.of(2026, 3, 1, 0, 0).plusSeconds(random.nextInt(1 << 24))));
      r.setField("big", nullOr(random, random.nextLong()));
      rows.add(r);
    }
    return rows;
  }

  private static <T> T nullOr(Random random, T value) {
    return random.nextInt(10) == 0 ? null : value;
  }
}
