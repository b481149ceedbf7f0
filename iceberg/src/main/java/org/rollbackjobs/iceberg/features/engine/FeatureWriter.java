package org.rollbackjobs.iceberg.features.engine;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Writes feature rows to Parquet data files in the feature table's data location, rolling to a new file at the
 * table's target file size. Files are only written here; they become part of the table at the single commit.
 * Each file's path is announced before the file is created, so that the outputs of an attempt killed halfway
 * can be found and deleted when it is run again.
 */
final class FeatureWriter implements Closeable {
  /** Parquet buffers a whole row group per open file: capped so that parallel writers fit a small heap. */
  static final long MAX_ROW_GROUP_BYTES = 32L * 1024 * 1024;
  private static final int CHECK_SIZE_EVERY = 1_000;
  /** Parquet's switch for dictionary encoding, which Iceberg passes through from the writer's properties. */
  static final String DICTIONARY = "parquet.enable.dictionary";

  private final FileIO io;
  private final LocationProvider locations;
  private final Schema schema;
  private final Map<String, String> properties;
  private final String prefix;
  private final long targetFileSize;
  private final Consumer<String> beforeCreate;
  private final GenericRecord record;
  private final boolean[] fixed;
  private final boolean dictionary;
  private final List<String> written = new ArrayList<>();
  private DataWriter<Record> current;
  private long rowsInFile;
  private long rows;

  FeatureWriter(FileIO io, LocationProvider locations, Schema schema, Map<String, String> properties, String prefix,
      Consumer<String> beforeCreate) {
    this.io = io;
    this.locations = locations;
    this.schema = schema;
    this.properties = properties;
    this.prefix = prefix;
    this.targetFileSize = PropertyUtil.propertyAsLong(properties, TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
        TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    this.beforeCreate = beforeCreate;
    this.record = GenericRecord.create(schema);
    this.dictionary = dictionaryPays(schema);
    this.fixed = new boolean[schema.columns().size()];
    for (int i = 0; i < fixed.length; i++) {
      fixed[i] = schema.columns().get(i).type().typeId() == Type.TypeID.FIXED;
    }
  }

  /**
   * Feature rows are one per key: the key columns are unique and aggregates over doubles (sums, means,
   * extremes) nearly so. Parquet would build a dictionary for each column and, finding it does not pay, fall
   * back to plain encoding at the end of the page, encoding all values a second time. Only counts (longs) and
   * booleans have few distinct values, and they are small in plain encoding as well, so dictionary encoding is
   * only kept when no column is a string, binary or floating-point column. (Iceberg offers the switch for whole
   * files only; a table property {@value #DICTIONARY} wins.)
   */
  static boolean dictionaryPays(Schema schema) {
    for (var column : schema.columns()) {
      switch (column.type().typeId()) {
        case STRING, BINARY, FIXED, UUID, DOUBLE, FLOAT, DECIMAL:
          return false;
        default:
          break;
      }
    }
    return true;
  }

  void write(Object[] row) {
    if (current == null) {
      open();
    }
    for (int i = 0; i < fixed.length; i++) {
      Object value = row[i];
      if (fixed[i] && value instanceof ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        value = bytes;
      }
      record.set(i, value);
    }
    current.write(record);
    rows++;
    if (++rowsInFile % CHECK_SIZE_EVERY == 0 && current.length() >= targetFileSize) {
      closeCurrent();
    }
  }

  long rows() {
    return rows;
  }

  /** Closes the open file; returns the paths of every file written. */
  List<String> finish() {
    closeCurrent();
    return List.copyOf(written);
  }

  @Override
  public void close() {
    closeCurrent();
  }

  private void open() {
    String path = locations.newDataLocation(String.format("%s-%05d.parquet", prefix, written.size()));
    beforeCreate.accept(path);
    OutputFile out = io.newOutputFile(path);
    long rowGroup = Math.min(MAX_ROW_GROUP_BYTES, PropertyUtil.propertyAsLong(properties,
        TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES_DEFAULT));
    try {
      current = Parquet.writeData(out)
          .schema(schema)
          .setAll(properties)
          .set(TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Long.toString(rowGroup))
          .set(DICTIONARY, properties.getOrDefault(DICTIONARY, Boolean.toString(dictionary)))
          .createWriterFunc(type -> GenericParquetWriter.create(schema, type))
          .withSpec(PartitionSpec.unpartitioned())
          .overwrite()
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data file " + path, e);
    }
    written.add(path);
    rowsInFile = 0;
  }

  private void closeCurrent() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close data file " + current, e);
      } finally {
        current = null;
      }
    }
  }
}
