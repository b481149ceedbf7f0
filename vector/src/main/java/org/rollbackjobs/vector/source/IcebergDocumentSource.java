package org.rollbackjobs.vector.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PartitionUtil;
import org.apache.iceberg.util.SnapshotUtil;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.snapshot.SnapshotResolver;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;

/**
 * Documents from an Iceberg table at one snapshot: an id column and a text column. The snapshot's data files
 * are read one after the other in path order (Iceberg's own scan plans files in parallel, in no fixed order),
 * each through Iceberg's generic Parquet reader with the snapshot's delete files applied. So the order is fixed
 * for a snapshot, and {@link #open(long)} can skip whole files without deletes by their record counts.
 */
public final class IcebergDocumentSource implements DocumentSource {
  private final Table table;
  private final Snapshot snapshot;
  private final Schema schema;
  private final String idColumn;
  private final String textColumn;
  private final DocIdType idType;

  private IcebergDocumentSource(Table table, Snapshot snapshot, Schema schema, String idColumn, String textColumn,
      DocIdType idType) {
    this.table = table;
    this.snapshot = snapshot;
    this.schema = schema;
    this.idColumn = idColumn;
    this.textColumn = textColumn;
    this.idType = idType;
  }

  /**
   * The table at {@code snapshotId} (its current snapshot when null). Unknown snapshots, missing columns and
   * columns of the wrong type are refused with {@link BadInputException}.
   */
  public static IcebergDocumentSource of(Table table, Long snapshotId, String idColumn, String textColumn) {
    Snapshot snapshot;
    if (snapshotId == null) {
      snapshot = table.currentSnapshot();
      if (snapshot == null) {
        throw new BadInputException("table " + table.name() + " has no snapshot yet: there are no documents to index");
      }
    } else {
      snapshot = SnapshotResolver.resolve(table, SnapshotTarget.id(snapshotId));
    }
    Schema schema = SnapshotUtil.schemaFor(table, snapshot.snapshotId());
    Types.NestedField id = column(table, schema, idColumn, "--id-column");
    Types.NestedField text = column(table, schema, textColumn, "--text-column");
    DocIdType idType = switch (id.type().typeId()) {
      case INTEGER, LONG -> DocIdType.BIGINT;
      case STRING, UUID -> DocIdType.TEXT;
      default -> throw new BadInputException("id column '" + idColumn + "' of " + table.name() + " is of type "
          + id.type() + "; an id column must be int, long, string or uuid");
    };
    if (text.type().typeId() != Type.TypeID.STRING) {
      throw new BadInputException("text column '" + textColumn + "' of " + table.name() + " is of type " + text.type()
          + "; the text column must be a string");
    }
    return new IcebergDocumentSource(table, snapshot, schema, idColumn, textColumn, idType);
  }

  private static Types.NestedField column(Table table, Schema schema, String name, String option) {
    Types.NestedField field = name == null ? null : schema.findField(name);
    if (field == null || field.type().isNestedType()) {
      throw new BadInputException(option + " '" + name + "' is not a column of " + table.name() + "; columns: "
          + schema.columns().stream().filter(f -> f.type().isPrimitiveType())
              .map(f -> f.name() + " (" + f.type() + ")").collect(Collectors.joining(", ")));
    }
    return field;
  }

  public Table table() {
    return table;
  }

  @Override
  public String describe() {
    return "iceberg:" + name() + "@" + snapshot.snapshotId();
  }

  @Override
  public String name() {
    return table.name();
  }

  @Override
  public Long snapshotId() {
    return snapshot.snapshotId();
  }

  @Override
  public DocIdType idType() {
    return idType;
  }

  @Override
  public long count() {
    long count = 0;
    for (FileScanTask task : tasks()) {
      if (task.deletes().isEmpty()) {
        count += task.file().recordCount();
      } else {
        try (CloseableIterable<Record> rows = read(task, schema.select(idColumn))) {
          for (Record ignored : rows) {
            count++;
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return count;
  }

  @Override
  public DocumentCursor open(long skip) {
    return new Cursor(schema.select(idColumn, textColumn), skip, true);
  }

  @Override
  public DocumentCursor openIds() {
    return new Cursor(schema.select(idColumn), 0, false);
  }

  /** The snapshot's data files in path order (planFiles does not split files: one task per data file). */
  private List<FileScanTask> tasks() {
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      planned.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan the files of " + table.name(), e);
    }
    tasks.sort(Comparator.comparing((FileScanTask t) -> t.file().location()).thenComparingLong(FileScanTask::start));
    return tasks;
  }

  private CloseableIterable<Record> read(FileScanTask task, Schema projection) {
    if (task.file().format() != FileFormat.PARQUET) {
      throw new IllegalStateException("data file " + task.file().location() + " is " + task.file().format()
          + "; only Parquet documents are read");
    }
    GenericDeleteFilter deletes = new GenericDeleteFilter(table.io(), task, schema, projection);
    Schema required = deletes.requiredSchema();
    Map<Integer, ?> constants = PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
    CloseableIterable<Record> records = Parquet.read(table.io().newInputFile(task.file().location()))
        .project(required)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(required, fileSchema, constants))
        .split(task.start(), task.length())
        .build();
    return deletes.filter(records);
  }

  private final class Cursor implements DocumentCursor {
    private final Schema projection;
    private final boolean withText;
    private final List<FileScanTask> tasks;
    private int nextTask;
    private long toSkip;
    private CloseableIterable<Record> current;
    private CloseableIterator<Record> rows;
    private Document next;

    Cursor(Schema projection, long skip, boolean withText) {
      this.projection = projection;
      this.withText = withText;
      this.tasks = tasks();
      this.toSkip = skip;
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (rows != null && rows.hasNext()) {
          Record record = rows.next();
          if (toSkip > 0) {
            toSkip--;
            continue;
          }
          next = new Document(idType.normalize(record.getField(idColumn)),
              withText ? (String) record.getField(textColumn) : null);
        } else if (!openNextFile()) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Document next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Document document = next;
      next = null;
      return document;
    }

    private boolean openNextFile() {
      closeCurrent();
      while (nextTask < tasks.size()) {
        FileScanTask task = tasks.get(nextTask++);
        // a file without deletes holds exactly its record count: skip it without reading
        if (task.deletes().isEmpty() && task.file().recordCount() <= toSkip) {
          toSkip -= task.file().recordCount();
          continue;
        }
        current = read(task, projection);
        rows = current.iterator();
        return true;
      }
      return false;
    }

    private void closeCurrent() {
      try {
        if (rows != null) {
          rows.close();
        }
        if (current != null) {
          current.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        rows = null;
        current = null;
      }
    }

    @Override
    public void close() {
      closeCurrent();
      nextTask = tasks.size();
    }
  }
}
