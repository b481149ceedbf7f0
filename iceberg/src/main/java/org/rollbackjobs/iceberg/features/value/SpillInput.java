package org.rollbackjobs.iceberg.features.value;

import java.io.Closeable;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A {@link DataInput} over a stream of spilled records, reading what {@link java.io.DataOutputStream} and
 * {@link SpillOutput} write (big-endian). The reduce side reads every partial state through it:
 * {@code DataInputStream} over a {@code BufferedInputStream} takes a lock and a virtual call per primitive,
 * this reads primitives straight from its own buffer. It also keeps the strings it decoded last, so that a value
 * spilled for every key ("grocery") is decoded once per run and read back as one shared instance (see
 * {@link ValueCodec#readShared}). Not thread-safe, like any stream.
 */
public final class SpillInput implements DataInput, Closeable {
  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  /** Strings remembered, by a hash of their bytes (direct-mapped: a collision replaces the entry). */
  private static final int STRINGS = 256;
  /** Longer strings are rarely repeated values: not remembered. */
  private static final int MAX_REMEMBERED_BYTES = 64;

  private final InputStream in;
  private final byte[] buffer;
  private int position;
  private int limit;
  private byte[][] stringBytes;
  private String[] strings;
  /** Values a state refers to by id, written once per run, by the state's position in the record ({@link #ids}). */
  private Object[][] ids = new Object[0][];
  private int state;

  public SpillInput(InputStream in, int bufferSize) {
    this.in = in;
    this.buffer = new byte[Math.max(bufferSize, 64)];
  }

  /** Makes at least {@code n} (at most the buffer's size) bytes available, or fails at the end of the stream. */
  private void require(int n) throws IOException {
    if (limit - position >= n) {
      return;
    }
    int remaining = limit - position;
    System.arraycopy(buffer, position, buffer, 0, remaining);
    position = 0;
    limit = remaining;
    while (limit < n) {
      int read = in.read(buffer, limit, buffer.length - limit);
      if (read < 0) {
        throw new EOFException();
      }
      limit += read;
    }
  }

  @Override
  public void readFully(byte[] b) throws IOException {
    readFully(b, 0, b.length);
  }

  @Override
  public void readFully(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (position == limit) {
        require(1);
      }
      int n = Math.min(len, limit - position);
      System.arraycopy(buffer, position, b, off, n);
      position += n;
      off += n;
      len -= n;
    }
  }

  @Override
  public int skipBytes(int n) throws IOException {
    int skipped = 0;
    while (skipped < n) {
      if (position == limit) {
        try {
          require(1);
        } catch (EOFException end) {
          break;
        }
      }
      int step = Math.min(n - skipped, limit - position);
      position += step;
      skipped += step;
    }
    return skipped;
  }

  @Override
  public boolean readBoolean() throws IOException {
    return readByte() != 0;
  }

  @Override
  public byte readByte() throws IOException {
    require(1);
    return buffer[position++];
  }

  @Override
  public int readUnsignedByte() throws IOException {
    return readByte() & 0xff;
  }

  @Override
  public short readShort() throws IOException {
    require(2);
    short v = (short) SHORT.get(buffer, position);
    position += 2;
    return v;
  }

  @Override
  public int readUnsignedShort() throws IOException {
    return readShort() & 0xffff;
  }

  @Override
  public char readChar() throws IOException {
    return (char) readShort();
  }

  @Override
  public int readInt() throws IOException {
    require(4);
    int v = (int) INT.get(buffer, position);
    position += 4;
    return v;
  }

  @Override
  public long readLong() throws IOException {
    require(8);
    long v = (long) LONG.get(buffer, position);
    position += 8;
    return v;
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat(readInt());
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(readLong());
  }

  /** Not part of the spill format. */
  @Override
  public String readLine() {
    throw new UnsupportedOperationException("readLine");
  }

  @Override
  public String readUTF() throws IOException {
    return DataInputStream.readUTF(this);
  }

  /**
   * {@code length} bytes of UTF-8; a string decoded recently from the same bytes is returned again instead of
   * a new one (strings are immutable, so sharing them is invisible to the caller).
   */
  String readString(int length) throws IOException {
    if (length > MAX_REMEMBERED_BYTES || length > buffer.length) {
      byte[] bytes = new byte[length];
      readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
    require(length);
    int from = position;
    position += length;
    int hash = 1;
    for (int i = from; i < from + length; i++) {
      hash = 31 * hash + buffer[i];
    }
    int index = (hash ^ (hash >>> 16)) & (STRINGS - 1);
    if (strings == null) {
      strings = new String[STRINGS];
      stringBytes = new byte[STRINGS][];
    }
    byte[] known = stringBytes[index];
    if (known != null && sameBytes(known, buffer, from, length)) {
      return strings[index];
    }
    String value = new String(buffer, from, length, StandardCharsets.UTF_8);
    stringBytes[index] = Arrays.copyOfRange(buffer, from, from + length);
    strings[index] = value;
    return value;
  }

  /** A plain loop: these are short, and Arrays.equals on ranges is slow until the JIT has compiled it. */
  private static boolean sameBytes(byte[] known, byte[] buffer, int from, int length) {
    if (known.length != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (known[i] != buffer[from + i]) {
        return false;
      }
    }
    return true;
  }

  /** The position of the state read next in its record (each state's values by id are its own). */
  public void readingState(int position) {
    state = position;
  }

  /**
   * The values the state at the current {@link #readingState position} has read by id from this stream so far
   * ({@code size} of them at most): a run may write a value once and then refer to it by id (DistinctCountColumn).
   */
  public Object[] ids(int size) {
    if (state >= ids.length) {
      ids = Arrays.copyOf(ids, state + 1);
    }
    if (ids[state] == null) {
      ids[state] = new Object[size];
    }
    return ids[state];
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
