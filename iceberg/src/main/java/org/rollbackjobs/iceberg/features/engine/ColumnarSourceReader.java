package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Reads the rows of one file scan task straight from Parquet's column readers into one reused row, without
 * Iceberg's generic record assembly. A dictionary-encoded string column yields one String per dictionary entry
 * of the row group instead of one per row (customer ids and categories repeat), and numbers are decoded without
 * an intermediate record: a recompute spends most of its time reading, so this is where its throughput is won.
 *
 * <p>It covers the common shape of a recompute's source: a Parquet data file without delete files, every
 * projected column a top-level primitive column of the file, found by Iceberg field id and written as Iceberg
 * writes it (boolean, int, long, float, double, string, date, timestamp with or without zone in micros). The
 * values are the ones Iceberg's generic reader returns. {@link #open} answers null for anything else (deletes,
 * a column missing from an older file, a promoted type, a file without field ids) and the caller falls back to
 * the generic reader.
 */
final class ColumnarSourceReader {
  private ColumnarSourceReader() {}

  /** The task's rows, or null when this reader does not cover the task (use Iceberg's generic reader). */
  static CloseableIterable<StructLike> open(Table table, FileScanTask task, Schema projection) throws IOException {
    return rows(table, task, projection);
  }

  /**
   * The task's rows as column batches ({@link ColumnBatches}), or null when this reader does not cover the task.
   * The values are those {@link #open} gives, read column by column: each column's loop over a batch runs one
   * reader and one type, which the JIT compiles early and well, instead of a dispatch per value.
   */
  static ColumnBatches openBatches(Table table, FileScanTask task, Schema projection) throws IOException {
    return rows(table, task, projection);
  }

  private static Rows rows(Table table, FileScanTask task, Schema projection) throws IOException {
    if (task.file().format() != FileFormat.PARQUET || !task.deletes().isEmpty()
        || !projection.columns().stream().allMatch(f -> ColumnKind.of(f.type()) != null)) {
      return null;
    }
    org.apache.iceberg.io.InputFile file = table.io().newInputFile(task.file().location(), task.file().fileSizeInBytes());
    ParquetFileReader reader = ParquetFileReader.open(new ParquetInput(file),
        ParquetInput.options().withRange(task.start(), task.start() + task.length()).build());
    try {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      List<Types.NestedField> fields = projection.columns();
      Column[] columns = new Column[fields.size()];
      org.apache.parquet.schema.Type[] requested = new org.apache.parquet.schema.Type[fields.size()];
      for (int i = 0; i < columns.length; i++) {
        PrimitiveType written = topLevelColumn(fileSchema, fields.get(i).fieldId());
        ColumnKind kind = ColumnKind.of(fields.get(i).type());
        if (written == null || !kind.reads(written, fields.get(i).type())) {
          reader.close();
          return null;
        }
        requested[i] = written;
        columns[i] = kind.newColumn(new ColumnDescriptor(new String[] {written.getName()}, written, 0,
            written.getRepetition() == org.apache.parquet.schema.Type.Repetition.OPTIONAL ? 1 : 0));
      }
      MessageType read = new MessageType(fileSchema.getName(), requested);
      reader.setRequestedSchema(read);
      return new Rows(reader, read, columns, task.file().location());
    } catch (RuntimeException | IOException e) {
      reader.close();
      throw e;
    }
  }

  private static PrimitiveType topLevelColumn(MessageType schema, int fieldId) {
    for (org.apache.parquet.schema.Type field : schema.getFields()) {
      if (field.getId() != null && field.getId().intValue() == fieldId) {
        return field.isPrimitive() && field.getRepetition() != org.apache.parquet.schema.Type.Repetition.REPEATED
            ? field.asPrimitiveType() : null;
      }
    }
    return null;
  }

  /** The rows of the task's row groups, one reused row, or column batches (not both for one task). */
  private static final class Rows implements CloseableIterable<StructLike>, CloseableIterator<StructLike>, StructLike,
      ColumnBatches {
    private final ParquetFileReader reader;
    private final MessageType schema;
    private final Column[] columns;
    private final GroupConverter ignored;
    private final String createdBy;
    private final String location;
    private long leftInGroup;
    private boolean done;

    Rows(ParquetFileReader reader, MessageType schema, Column[] columns, String location) {
      this.reader = reader;
      this.location = location;
      this.schema = schema;
      this.columns = columns;
      this.ignored = new IgnoringConverter(columns.length);
      this.createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
    }

    @Override
    public CloseableIterator<StructLike> iterator() {
      return this;
    }

    @Override
    public boolean hasNext() {
      while (leftInGroup == 0 && !done) {
        nextRowGroup();
      }
      return !done;
    }

    @Override
    public StructLike next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      for (Column column : columns) {
        column.advance();
      }
      leftInGroup--;
      return this;
    }

    @Override
    public int nextBatch() {
      if (!hasNext()) {
        return 0;
      }
      int count = (int) Math.min(ColumnBatches.CAPACITY, leftInGroup);
      for (Column column : columns) {
        column.readBatch(count);
      }
      leftInGroup -= count;
      return count;
    }

    @Override
    public ColumnVector column(int position) {
      return columns[position];
    }

    private void nextRowGroup() {
      try {
        PageReadStore pages = reader.readNextRowGroup();
        if (pages == null) {
          done = true;
          return;
        }
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages, ignored, schema, createdBy);
        for (Column column : columns) {
          column.startRowGroup(store.getColumnReader(column.descriptor));
        }
        leftInGroup = pages.getRowCount();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read a row group of " + location, e);
      }
    }

    @Override
    public int size() {
      return columns.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      return javaClass.cast(columns[pos].value());
    }

    @Override
    public <T> void set(int pos, T value) {
      throw new UnsupportedOperationException("source rows are read-only");
    }

    @Override
    public void close() throws IOException {
      done = true;
      reader.close();
    }
  }

  /**
   * One projected column: reads the current row's value, then moves its reader on; or reads a batch of rows into
   * its arrays ({@link #readBatch}), row {@code i} of the batch at index {@code i}.
   */
  private abstract static class Column implements ColumnVector {
    final ColumnDescriptor descriptor;
    final int maxDefinition;
    ColumnReader reader;
    boolean isNull;
    final boolean[] nulls = new boolean[ColumnBatches.CAPACITY];
    private Object[] objects;
    private boolean objectsRead;

    Column(ColumnDescriptor descriptor) {
      this.descriptor = descriptor;
      this.maxDefinition = descriptor.getMaxDefinitionLevel();
    }

    void startRowGroup(ColumnReader columnReader) {
      this.reader = columnReader;
    }

    final void advance() {
      isNull = reader.getCurrentDefinitionLevel() < maxDefinition;
      if (!isNull) {
        read();
      }
      reader.consume();
    }

    abstract void read();

    final Object value() {
      return isNull ? null : boxed();
    }

    abstract Object boxed();

    /** Reads the next {@code count} rows into {@link #nulls} and the column's value array. */
    final void readBatch(int count) {
      ColumnReader r = reader;
      int max = maxDefinition;
      for (int i = 0; i < count; i++) {
        boolean absent = r.getCurrentDefinitionLevel() < max;
        nulls[i] = absent;
        if (!absent) {
          readAt(r, i);
        }
        r.consume();
      }
      objectsRead = false;
    }

    /** Reads the current value into row {@code i} of the batch. */
    abstract void readAt(ColumnReader r, int i);

    /** Row {@code i} of the batch as {@link #boxed()} gives it. */
    abstract Object boxedAt(int i);

    @Override
    public final boolean[] nulls() {
      return nulls;
    }

    @Override
    public Object[] objects(int count) {
      if (!objectsRead) {
        if (objects == null) {
          objects = new Object[ColumnBatches.CAPACITY];
        }
        for (int i = 0; i < count; i++) {
          objects[i] = nulls[i] ? null : boxedAt(i);
        }
        objectsRead = true;
      }
      return objects;
    }
  }

  /** Strings decoded once per dictionary entry while the pages are dictionary-encoded. */
  private static final class StringColumn extends Column {
    private String[] byDictionaryId = new String[1024];
    private boolean dictionaryPages;
    private String value;
    private final String[] values = new String[ColumnBatches.CAPACITY];

    StringColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    void startRowGroup(ColumnReader columnReader) {
      super.startRowGroup(columnReader);
      Arrays.fill(byDictionaryId, null); // a new column chunk, a new dictionary
      dictionaryPages = true;
    }

    @Override
    void read() {
      if (dictionaryPages) {
        int id;
        try {
          id = reader.getCurrentValueDictionaryID();
        } catch (UnsupportedOperationException | ParquetDecodingException plainPage) {
          // a plain page (no dictionary, or the writer fell back to plain): the value itself is still there
          dictionaryPages = false;
          value = reader.getBinary().toStringUsingUTF8();
          return;
        }
        if (id >= byDictionaryId.length) {
          byDictionaryId = Arrays.copyOf(byDictionaryId, Math.max(id + 1, byDictionaryId.length * 2));
        }
        String known = byDictionaryId[id];
        if (known == null) {
          known = reader.getBinary().toStringUsingUTF8();
          byDictionaryId[id] = known;
        }
        value = known;
      } else {
        value = reader.getBinary().toStringUsingUTF8();
      }
    }

    @Override
    Object boxed() {
      return value;
    }

    @Override
    void readAt(ColumnReader r, int i) {
      read();
      values[i] = value;
    }

    @Override
    Object boxedAt(int i) {
      return values[i];
    }

    @Override
    public Object[] objects(int count) {
      for (int i = 0; i < count; i++) {
        if (nulls[i]) {
          values[i] = null;
        }
      }
      return values;
    }
  }

  private static final class LongColumn extends Column {
    private final boolean timestamp;
    private final boolean withZone;
    private long value;
    private final long[] values = new long[ColumnBatches.CAPACITY];

    LongColumn(ColumnDescriptor descriptor, boolean timestamp, boolean withZone) {
      super(descriptor);
      this.timestamp = timestamp;
      this.withZone = withZone;
    }

    @Override
    void read() {
      value = reader.getLong();
    }

    @Override
    Object boxed() {
      if (!timestamp) {
        return value;
      }
      return withZone ? DateTimeUtil.timestamptzFromMicros(value) : DateTimeUtil.timestampFromMicros(value);
    }

    @Override
    void readAt(ColumnReader r, int i) {
      values[i] = r.getLong();
    }

    @Override
    Object boxedAt(int i) {
      long v = values[i];
      if (!timestamp) {
        return v;
      }
      return withZone ? DateTimeUtil.timestamptzFromMicros(v) : DateTimeUtil.timestampFromMicros(v);
    }

    @Override
    public long[] longs() {
      return timestamp ? null : values;
    }
  }

  private static final class IntColumn extends Column {
    private final boolean date;
    private int value;
    private final long[] values = new long[ColumnBatches.CAPACITY];

    IntColumn(ColumnDescriptor descriptor, boolean date) {
      super(descriptor);
      this.date = date;
    }

    @Override
    void read() {
      value = reader.getInteger();
    }

    @Override
    Object boxed() {
      return date ? DateTimeUtil.dateFromDays(value) : (Object) value;
    }

    @Override
    void readAt(ColumnReader r, int i) {
      values[i] = r.getInteger();
    }

    @Override
    Object boxedAt(int i) {
      int v = (int) values[i];
      return date ? DateTimeUtil.dateFromDays(v) : (Object) v;
    }

    @Override
    public long[] longs() {
      return date ? null : values;
    }
  }

  private static final class DoubleColumn extends Column {
    private double value;
    private final double[] values = new double[ColumnBatches.CAPACITY];

    DoubleColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    void read() {
      value = reader.getDouble();
    }

    @Override
    Object boxed() {
      return value;
    }

    @Override
    void readAt(ColumnReader r, int i) {
      values[i] = r.getDouble();
    }

    @Override
    Object boxedAt(int i) {
      return values[i];
    }

    @Override
    public double[] doubles() {
      return values;
    }
  }

  private static final class FloatColumn extends Column {
    private float value;
    private final float[] values = new float[ColumnBatches.CAPACITY];

    FloatColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    void read() {
      value = reader.getFloat();
    }

    @Override
    Object boxed() {
      return value;
    }

    @Override
    void readAt(ColumnReader r, int i) {
      values[i] = r.getFloat();
    }

    @Override
    Object boxedAt(int i) {
      return values[i];
    }
  }

  private static final class BooleanColumn extends Column {
    private boolean value;
    private final boolean[] values = new boolean[ColumnBatches.CAPACITY];

    BooleanColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    void read() {
      value = reader.getBoolean();
    }

    @Override
    Object boxed() {
      return value;
    }

    @Override
    void readAt(ColumnReader r, int i) {
      values[i] = r.getBoolean();
    }

    @Override
    Object boxedAt(int i) {
      return values[i];
    }
  }

  /** The Iceberg types this reader covers, and the Parquet columns each is read from as written. */
  private enum ColumnKind {
    BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, DATE, TIMESTAMP;

    static ColumnKind of(Type type) {
      return switch (type.typeId()) {
        case BOOLEAN -> BOOLEAN;
        case INTEGER -> INT;
        case LONG -> LONG;
        case FLOAT -> FLOAT;
        case DOUBLE -> DOUBLE;
        case STRING -> STRING;
        case DATE -> DATE;
        case TIMESTAMP -> TIMESTAMP;
        default -> null;
      };
    }

    /** Whether the column was written as this kind is read (no promotion, no other annotation). */
    boolean reads(PrimitiveType column, Type type) {
      LogicalTypeAnnotation annotation = column.getLogicalTypeAnnotation();
      PrimitiveTypeName physical = column.getPrimitiveTypeName();
      return switch (this) {
        case BOOLEAN -> physical == PrimitiveTypeName.BOOLEAN;
        case INT -> physical == PrimitiveTypeName.INT32 && plainInteger(annotation, 32);
        case LONG -> physical == PrimitiveTypeName.INT64 && plainInteger(annotation, 64);
        case FLOAT -> physical == PrimitiveTypeName.FLOAT;
        case DOUBLE -> physical == PrimitiveTypeName.DOUBLE;
        case STRING -> physical == PrimitiveTypeName.BINARY
            && annotation instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
        case DATE -> physical == PrimitiveTypeName.INT32
            && annotation instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation;
        // Iceberg's generic reader picks OffsetDateTime or LocalDateTime from the file's annotation: match it
        case TIMESTAMP -> physical == PrimitiveTypeName.INT64
            && annotation instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
            && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS
            && ts.isAdjustedToUTC() == ((Types.TimestampType) type).shouldAdjustToUTC();
      };
    }

    private static boolean plainInteger(LogicalTypeAnnotation annotation, int bits) {
      return annotation == null || annotation instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
          && i.getBitWidth() == bits && i.isSigned();
    }

    Column newColumn(ColumnDescriptor descriptor) {
      return switch (this) {
        case BOOLEAN -> new BooleanColumn(descriptor);
        case INT -> new IntColumn(descriptor, false);
        case DATE -> new IntColumn(descriptor, true);
        case LONG -> new LongColumn(descriptor, false, false);
        case TIMESTAMP -> new LongColumn(descriptor, true,
            ((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) descriptor.getPrimitiveType()
                .getLogicalTypeAnnotation()).isAdjustedToUTC());
        case FLOAT -> new FloatColumn(descriptor);
        case DOUBLE -> new DoubleColumn(descriptor);
        case STRING -> new StringColumn(descriptor);
      };
    }
  }

  /**
   * Column readers want a converter tree; values are taken from the readers directly, never converted. The
   * converters claim dictionary support because only then do the readers expose dictionary ids.
   */
  private static final class IgnoringConverter extends GroupConverter {
    private final PrimitiveConverter[] fields;

    IgnoringConverter(int count) {
      fields = new PrimitiveConverter[count];
      Arrays.setAll(fields, i -> new PrimitiveConverter() {
        @Override
        public boolean hasDictionarySupport() {
          return true;
        }

        @Override
        public void setDictionary(Dictionary dictionary) {}
      });
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return fields[fieldIndex];
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
