package org.rollbackjobs.iceberg.features.engine;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.aggregate.StateColumn;
import org.rollbackjobs.iceberg.features.value.SpillInput;
import org.rollbackjobs.iceberg.features.value.SpillOutput;
import org.rollbackjobs.iceberg.features.value.ValueCodec;

/**
 * Sorted runs of partial aggregates on local disk: each record is a key and one partial state per aggregate,
 * in key order. A run ends with an end marker, so that a run cut short by a killed process is detected. The
 * format is that of {@link java.io.DataOutputStream}; {@link SpillOutput} and {@link SpillInput} write and read
 * it with less overhead per value.
 */
final class RunFiles {
  private static final int BUFFER = 64 * 1024;
  private static final byte RECORD = 1;
  private static final byte END = 0;

  private RunFiles() {}

  static final class Writer implements Closeable {
    private final SpillOutput out;
    private final List<Aggregate<Object>> aggregates;
    private final int keyCount;
    private long records;

    Writer(Path file, List<Aggregate<Object>> aggregates, int keyCount) throws IOException {
      Files.createDirectories(file.getParent());
      this.out = new SpillOutput(Files.newOutputStream(file), BUFFER);
      this.aggregates = aggregates;
      this.keyCount = keyCount;
    }

    void write(Object key, Object[] states) throws IOException {
      writeKey(key);
      for (int i = 0; i < states.length; i++) {
        aggregates.get(i).write(states[i], out);
      }
      records++;
    }

    /** The same record from the states of {@code slot}, its record starting at {@code record}. */
    void write(Object key, int slot, long[] states, int record, StateColumn[] columns, int[] offsets)
        throws IOException {
      writeKey(key);
      for (int i = 0; i < columns.length; i++) {
        columns[i].write(states, record + offsets[i], slot, out);
      }
      records++;
    }

    private void writeKey(Object key) throws IOException {
      out.writeByte(RECORD);
      if (keyCount == 1) {
        ValueCodec.write(out, key);
      } else {
        for (Object value : ((Keys.Composite) key).values) {
          ValueCodec.write(out, value);
        }
      }
    }

    long records() {
      return records;
    }

    @Override
    public void close() throws IOException {
      out.writeByte(END);
      out.close();
    }
  }

  /** Reads a run record by record; {@link #advance()} moves to the next one. */
  static final class Reader implements Closeable {
    private final Path file;
    private final SpillInput in;
    private final List<Aggregate<Object>> aggregates;
    private final int keyCount;
    Object key;
    /** The key's {@link KeyPrefix} and the type it is of (null: compare in full). */
    long prefix;
    Class<?> prefixType;
    Object[] states;

    Reader(Path file, List<Aggregate<Object>> aggregates, int keyCount) throws IOException {
      this.file = file;
      this.in = new SpillInput(Files.newInputStream(file), BUFFER);
      this.aggregates = aggregates;
      this.keyCount = keyCount;
    }

    /** Reads the next record; false at the end of the run. */
    boolean advance() throws IOException {
      byte marker;
      try {
        marker = in.readByte();
      } catch (EOFException e) {
        throw new IOException("spill run " + file + " is truncated (its writer did not finish)", e);
      }
      if (marker == END) {
        key = null;
        states = null;
        return false;
      }
      if (keyCount == 1) {
        key = Keys.normalise(ValueCodec.read(in));
      } else {
        Object[] values = new Object[keyCount];
        for (int i = 0; i < keyCount; i++) {
          values[i] = Keys.normalise(ValueCodec.read(in));
        }
        key = new Keys.Composite(values);
      }
      prefix = KeyPrefix.of(key);
      prefixType = KeyPrefix.typeOf(key);
      states = new Object[aggregates.size()];
      for (int i = 0; i < states.length; i++) {
        in.readingState(i);
        states[i] = aggregates.get(i).read(in);
      }
      return true;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
