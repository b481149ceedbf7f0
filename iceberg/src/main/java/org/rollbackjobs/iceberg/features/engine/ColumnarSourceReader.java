package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Reads one file scan task a page at a time straight from Parquet into column batches ({@link ColumnBatches}),
 * without Iceberg's generic record assembly or Parquet's per-value column readers: plain numbers and strings are
 * decoded from the page's bytes, RLE-hybrid definition levels and dictionary ids too ({@link HybridDecoder}),
 * other encodings with their values readers; a dictionary-encoded string is one String per dictionary entry of
 * the row group, and a string group key need not be a String at all ({@link PackedKeys}). The row API
 * ({@link #open}) is served from the same batches.
 *
 * <p>It covers the common shape of a recompute's source: a Parquet data file without delete files, every
 * projected column a top-level primitive column of the file, found by Iceberg field id and written as Iceberg
 * writes it (boolean, int, long, float, double, string, date, timestamp with or without zone in micros), in v1 or
 * v2 data pages. The values are the ones Iceberg's generic reader returns. {@link #open} answers null for anything
 * else (deletes, a column missing from an older file, a promoted type, a file without field ids) and the caller
 * falls back to the generic reader.
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
      reader.setRequestedSchema(new MessageType(fileSchema.getName(), requested));
      return new Rows(reader, columns, task.file().location());
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

  /** The rows of the task's row groups as column batches, and as one reused row served from them. */
  private static final class Rows implements CloseableIterable<StructLike>, CloseableIterator<StructLike>, StructLike,
      ColumnBatches {
    private final ParquetFileReader reader;
    private final Column[] columns;
    private final String location;
    private PageReadStore rowGroup;
    private long leftInGroup;
    private boolean done;
    /** The row API's place in the current batch. */
    private int batchRows;
    private int row = -1;

    Rows(ParquetFileReader reader, Column[] columns, String location) {
      this.reader = reader;
      this.location = location;
      this.columns = columns;
    }

    @Override
    public CloseableIterator<StructLike> iterator() {
      return this;
    }

    @Override
    public boolean hasNext() {
      if (row + 1 < batchRows) {
        return true;
      }
      batchRows = nextBatch();
      row = -1;
      return batchRows > 0;
    }

    @Override
    public StructLike next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      row++;
      return this;
    }

    @Override
    public int nextBatch() {
      while (leftInGroup == 0 && !done) {
        nextRowGroup();
      }
      if (done) {
        return 0;
      }
      int count = (int) Math.min(ColumnBatches.CAPACITY, leftInGroup);
      try {
        for (Column column : columns) {
          column.readBatch(count);
        }
      } catch (IOException | RuntimeException e) {
        throw new ParquetDecodingException("cannot read a page of " + location + ": " + e.getMessage(), e);
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
        closeRowGroup();
        rowGroup = reader.readNextRowGroup();
        if (rowGroup == null) {
          done = true;
          return;
        }
        for (Column column : columns) {
          column.startRowGroup(rowGroup.getPageReader(column.descriptor));
        }
        leftInGroup = rowGroup.getRowCount();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read a row group of " + location, e);
      }
    }

    private void closeRowGroup() {
      if (rowGroup != null) {
        rowGroup.close();
        rowGroup = null;
      }
    }

    @Override
    public int size() {
      return columns.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      Column column = columns[pos];
      return javaClass.cast(column.nulls[row] ? null : column.boxedAt(row));
    }

    @Override
    public <T> void set(int pos, T value) {
      throw new UnsupportedOperationException("source rows are read-only");
    }

    @Override
    public void close() throws IOException {
      done = true;
      closeRowGroup();
      reader.close();
    }
  }

  /**
   * One projected column, decoded a page at a time into the batch's arrays: RLE-hybrid definition levels and
   * dictionary ids with {@link HybridDecoder}, plain fixed-width values and strings straight from the page's
   * bytes (Parquet's plain readers copy every value through a stream), anything else with the page encoding's
   * values reader.
   */
  private abstract static class Column implements ColumnVector {
    /** How the current page's values are read. */
    static final int PLAIN = 0;
    static final int DICTIONARY = 1;
    static final int OTHER = 2;

    final ColumnDescriptor descriptor;
    final int maxDefinition;
    final boolean[] nulls = new boolean[ColumnBatches.CAPACITY];
    private PageReader pages;
    Dictionary dictionary;
    private int leftInPage;
    /** Definition levels of the page (null for a required column): RLE-hybrid ones, or another encoding's. */
    private HybridDecoder definitions;
    private ValuesReader levels;
    private HybridDecoder definitionDecoder;
    int mode;
    /** Whether every value of the batch came from dictionary pages (of the row group's one dictionary). */
    boolean dictionaryBatch;
    /** The page's values: plain bytes (little-endian), dictionary ids, or another encoding's reader. */
    ByteBuffer plain;
    HybridDecoder dictionaryIds;
    ValuesReader values;
    private Object[] objects;
    private boolean objectsRead;

    Column(ColumnDescriptor descriptor) {
      this.descriptor = descriptor;
      this.maxDefinition = descriptor.getMaxDefinitionLevel();
    }

    void startRowGroup(PageReader pageReader) throws IOException {
      this.pages = pageReader;
      DictionaryPage page = pageReader.readDictionaryPage();
      this.dictionary = page == null ? null : page.getEncoding().initDictionary(descriptor, page);
      this.leftInPage = 0;
    }

    /** Reads the next {@code count} rows into {@link #nulls} and the column's value array. */
    final void readBatch(int count) throws IOException {
      int i = 0;
      dictionaryBatch = true;
      while (i < count) {
        if (leftInPage == 0) {
          nextPage();
        }
        dictionaryBatch &= mode == DICTIONARY;
        int end = i + Math.min(count - i, leftInPage);
        leftInPage -= end - i;
        if (definitions == null && levels == null) {
          for (; i < end; i++) {
            nulls[i] = false;
            readAt(i);
          }
        } else {
          for (; i < end; i++) {
            boolean absent = (definitions != null ? definitions.next() : levels.readInteger()) < maxDefinition;
            nulls[i] = absent;
            if (absent) {
              readNull(i);
            } else {
              readAt(i);
            }
          }
        }
      }
      objectsRead = false;
    }

    private void nextPage() throws IOException {
      DataPage page = pages.readPage();
      if (page == null) {
        throw new ParquetDecodingException("column " + descriptor + " has fewer values than its row group has rows");
      }
      leftInPage = page.getValueCount();
      definitions = null;
      levels = null;
      if (page instanceof DataPageV1 v1) {
        ByteBufferInputStream in = v1.getBytes().toInputStream();
        v1.getRlEncoding().getValuesReader(descriptor, ValuesType.REPETITION_LEVEL).initFromPage(leftInPage, in);
        if (maxDefinition > 0) {
          if (v1.getDlEncoding() == Encoding.RLE) { // a length, then the hybrid data
            definitions = definitionDecoder().reset(in.slice(BytesUtils.readIntLittleEndian(in)));
          } else {
            levels = v1.getDlEncoding().getValuesReader(descriptor, ValuesType.DEFINITION_LEVEL);
            levels.initFromPage(leftInPage, in);
          }
        }
        startValues(v1.getValueEncoding(), in);
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        if (maxDefinition > 0) {
          definitions = definitionDecoder().reset(v2.getDefinitionLevels().toByteBuffer());
        }
        startValues(v2.getDataEncoding(), v2.getData().toInputStream());
      }
    }

    private HybridDecoder definitionDecoder() {
      if (definitionDecoder == null) {
        definitionDecoder = new HybridDecoder(BytesUtils.getWidthFromMaxInt(maxDefinition));
      }
      return definitionDecoder;
    }

    private void startValues(Encoding encoding, ByteBufferInputStream in) throws IOException {
      plain = null;
      values = null;
      if (encoding.usesDictionary()) {
        if (dictionary == null) {
          throw new ParquetDecodingException("column " + descriptor + " has dictionary-encoded pages but no dictionary");
        }
        // a byte with the ids' bit width, then the hybrid data (absent from a page of nulls only)
        if (in.available() > 0) {
          int bitWidth = in.read();
          if (dictionaryIds == null || dictionaryIds.bitWidth() != bitWidth) {
            dictionaryIds = new HybridDecoder(bitWidth);
          }
          dictionaryIds.reset(in.slice(in.available()));
        }
        mode = DICTIONARY;
      } else if (encoding == Encoding.PLAIN && readsPlainBytes()) {
        plain = in.slice(in.available()).order(ByteOrder.LITTLE_ENDIAN);
        mode = PLAIN;
      } else {
        values = encoding.getValuesReader(descriptor, ValuesType.VALUES);
        values.initFromPage(leftInPage, in);
        mode = OTHER;
      }
    }

    /** Whether {@link #readAt} reads this column's plain values from {@link #plain} (else from {@link #values}). */
    boolean readsPlainBytes() {
      return true;
    }

    /** Reads the page's next value into row {@code i} of the batch. */
    abstract void readAt(int i);

    /** Row {@code i} of the batch is null. */
    void readNull(int i) {}

    /** Row {@code i} of the batch as Iceberg's generic reader gives it. */
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

  /**
   * Strings decoded once per dictionary entry of a row group, plain ones from the page's bytes. As a group key
   * ({@link #packedKeys}) a plain string is packed from its bytes and made a String only when asked for.
   */
  private static final class StringColumn extends Column {
    private String[] byDictionaryId = new String[0];
    private final String[] strings = new String[ColumnBatches.CAPACITY];
    /** Packed keys, when the column is one; the bytes of each row whose String is not made yet. */
    private Keys keys;
    private PackedKeys packedById;
    private final ByteBuffer[] unmade = new ByteBuffer[ColumnBatches.CAPACITY];
    private final int[] offsets = new int[ColumnBatches.CAPACITY];
    private final int[] lengths = new int[ColumnBatches.CAPACITY];
    private final int[] ids = new int[ColumnBatches.CAPACITY];

    StringColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    void startRowGroup(PageReader pageReader) throws IOException {
      super.startRowGroup(pageReader);
      byDictionaryId = new String[dictionary == null ? 0 : dictionary.getMaxId() + 1]; // a new chunk, a new dictionary
      packedById = keys == null ? null : new PackedKeys(byDictionaryId.length);
    }

    @Override
    public PackedKeys packedKeys() {
      if (keys == null) {
        keys = new Keys();
        packedById = new PackedKeys(byDictionaryId.length);
        Arrays.fill(byDictionaryId, null); // decoded again, and packed
      }
      return keys;
    }

    @Override
    void readAt(int i) {
      unmade[i] = null;
      switch (mode) {
        case PLAIN -> {
          ByteBuffer bytes = plain;
          int length = bytes.getInt();
          int at = bytes.position();
          if (keys != null && bytes.hasArray() && keys.packAscii(i, bytes.array(), bytes.arrayOffset() + at, length)) {
            unmade[i] = bytes; // made when asked for
            offsets[i] = bytes.arrayOffset() + at;
            lengths[i] = length;
            strings[i] = null;
          } else {
            strings[i] = bytes.hasArray()
                ? new String(bytes.array(), bytes.arrayOffset() + at, length, StandardCharsets.UTF_8)
                : StandardCharsets.UTF_8.decode(bytes.slice().limit(length)).toString();
            if (keys != null) {
              keys.pack(i, strings[i]);
            }
          }
          bytes.position(at + length);
        }
        case DICTIONARY -> {
          int id = dictionaryIds.next();
          ids[i] = id;
          String known = byDictionaryId[id];
          if (known == null) {
            known = dictionary.decodeToBinary(id).toStringUsingUTF8();
            byDictionaryId[id] = known;
            if (keys != null) {
              packedById.pack(id, known);
            }
          }
          strings[i] = known;
          if (keys != null) {
            keys.copy(i, packedById, id);
          }
        }
        default -> {
          strings[i] = values.readBytes().toStringUsingUTF8();
          if (keys != null) {
            keys.pack(i, strings[i]);
          }
        }
      }
    }

    @Override
    public int[] dictionaryIds() {
      return dictionaryBatch ? ids : null;
    }

    @Override
    public Object[] dictionary() {
      return byDictionaryId;
    }

    @Override
    void readNull(int i) {
      unmade[i] = null;
      strings[i] = null;
      if (keys != null) {
        keys.pack(i, null);
      }
    }

    private String stringAt(int i) {
      String value = strings[i];
      if (value == null && unmade[i] != null) {
        value = new String(unmade[i].array(), offsets[i], lengths[i], StandardCharsets.UTF_8);
        strings[i] = value;
        unmade[i] = null;
      }
      return value;
    }

    @Override
    Object boxedAt(int i) {
      return stringAt(i);
    }

    @Override
    public Object[] objects(int count) {
      for (int i = 0; i < count; i++) {
        if (nulls[i]) {
          strings[i] = null;
        } else {
          stringAt(i);
        }
      }
      return strings;
    }

    /** The batch's strings as packed keys. */
    private final class Keys extends PackedKeys {
      Keys() {
        super(ColumnBatches.CAPACITY);
      }

      @Override
      Object keyAt(int i) {
        return stringAt(i);
      }
    }
  }

  private static final class LongColumn extends Column {
    private final boolean timestamp;
    private final boolean withZone;
    private final long[] longs = new long[ColumnBatches.CAPACITY];

    LongColumn(ColumnDescriptor descriptor, boolean timestamp, boolean withZone) {
      super(descriptor);
      this.timestamp = timestamp;
      this.withZone = withZone;
    }

    @Override
    void readAt(int i) {
      longs[i] = switch (mode) {
        case PLAIN -> plain.getLong();
        case DICTIONARY -> dictionary.decodeToLong(dictionaryIds.next());
        default -> values.readLong();
      };
    }

    @Override
    Object boxedAt(int i) {
      long v = longs[i];
      if (!timestamp) {
        return v;
      }
      return withZone ? DateTimeUtil.timestamptzFromMicros(v) : DateTimeUtil.timestampFromMicros(v);
    }

    @Override
    public long[] longs() {
      return timestamp ? null : longs;
    }
  }

  /** Int (widened to long in its array) or date values. */
  private static final class IntColumn extends Column {
    private final boolean date;
    private final long[] ints = new long[ColumnBatches.CAPACITY];

    IntColumn(ColumnDescriptor descriptor, boolean date) {
      super(descriptor);
      this.date = date;
    }

    @Override
    void readAt(int i) {
      ints[i] = switch (mode) {
        case PLAIN -> plain.getInt();
        case DICTIONARY -> dictionary.decodeToInt(dictionaryIds.next());
        default -> values.readInteger();
      };
    }

    @Override
    Object boxedAt(int i) {
      int v = (int) ints[i];
      return date ? DateTimeUtil.dateFromDays(v) : (Object) v;
    }

    @Override
    public long[] longs() {
      return date ? null : ints;
    }
  }

  private static final class DoubleColumn extends Column {
    private final double[] doubles = new double[ColumnBatches.CAPACITY];

    DoubleColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    void readAt(int i) {
      doubles[i] = switch (mode) {
        case PLAIN -> plain.getDouble();
        case DICTIONARY -> dictionary.decodeToDouble(dictionaryIds.next());
        default -> values.readDouble();
      };
    }

    @Override
    Object boxedAt(int i) {
      return doubles[i];
    }

    @Override
    public double[] doubles() {
      return doubles;
    }
  }

  private static final class FloatColumn extends Column {
    private final float[] floats = new float[ColumnBatches.CAPACITY];

    FloatColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    void readAt(int i) {
      floats[i] = switch (mode) {
        case PLAIN -> plain.getFloat();
        case DICTIONARY -> dictionary.decodeToFloat(dictionaryIds.next());
        default -> values.readFloat();
      };
    }

    @Override
    Object boxedAt(int i) {
      return floats[i];
    }
  }

  /** Booleans are bit-packed when plain: read with Parquet's values reader. */
  private static final class BooleanColumn extends Column {
    private final boolean[] booleans = new boolean[ColumnBatches.CAPACITY];

    BooleanColumn(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    boolean readsPlainBytes() {
      return false;
    }

    @Override
    void readAt(int i) {
      booleans[i] = values.readBoolean();
    }

    @Override
    Object boxedAt(int i) {
      return booleans[i];
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
}
