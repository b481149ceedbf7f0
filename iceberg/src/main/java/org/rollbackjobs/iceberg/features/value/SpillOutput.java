package org.rollbackjobs.iceberg.features.value;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A {@link DataOutput} for spill files, writing exactly what {@link DataOutputStream} writes (big-endian) into
 * its own buffer: {@code DataOutputStream} over a {@code BufferedOutputStream} takes a lock and copies through a
 * second buffer for every primitive. Not thread-safe, like any stream.
 */
public final class SpillOutput implements DataOutput, Closeable {
  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final OutputStream out;
  private final byte[] buffer;
  private int position;

  public SpillOutput(OutputStream out, int bufferSize) {
    this.out = out;
    this.buffer = new byte[Math.max(bufferSize, 64)];
  }

  private void room(int n) throws IOException {
    if (buffer.length - position < n) {
      flushBuffer();
    }
  }

  private void flushBuffer() throws IOException {
    if (position > 0) {
      out.write(buffer, 0, position);
      position = 0;
    }
  }

  @Override
  public void write(int b) throws IOException {
    room(1);
    buffer[position++] = (byte) b;
  }

  @Override
  public void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > buffer.length - position) {
      flushBuffer();
      if (len > buffer.length) {
        out.write(b, off, len);
        return;
      }
    }
    System.arraycopy(b, off, buffer, position, len);
    position += len;
  }

  @Override
  public void writeBoolean(boolean v) throws IOException {
    write(v ? 1 : 0);
  }

  @Override
  public void writeByte(int v) throws IOException {
    write(v);
  }

  @Override
  public void writeShort(int v) throws IOException {
    room(2);
    SHORT.set(buffer, position, (short) v);
    position += 2;
  }

  @Override
  public void writeChar(int v) throws IOException {
    writeShort(v);
  }

  @Override
  public void writeInt(int v) throws IOException {
    room(4);
    INT.set(buffer, position, v);
    position += 4;
  }

  @Override
  public void writeLong(long v) throws IOException {
    room(8);
    LONG.set(buffer, position, v);
    position += 8;
  }

  @Override
  public void writeFloat(float v) throws IOException {
    writeInt(Float.floatToIntBits(v));
  }

  @Override
  public void writeDouble(double v) throws IOException {
    writeLong(Double.doubleToLongBits(v));
  }

  @Override
  public void writeBytes(String s) throws IOException {
    for (int i = 0; i < s.length(); i++) {
      write(s.charAt(i));
    }
  }

  @Override
  public void writeChars(String s) throws IOException {
    for (int i = 0; i < s.length(); i++) {
      writeChar(s.charAt(i));
    }
  }

  @Override
  public void writeUTF(String s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length() + 2);
    new DataOutputStream(bytes).writeUTF(s);
    bytes.writeTo(asStream());
  }

  private OutputStream asStream() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        SpillOutput.this.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        SpillOutput.this.write(b, off, len);
      }
    };
  }

  /** Writes the buffer out and closes the stream. */
  @Override
  public void close() throws IOException {
    try {
      flushBuffer();
    } finally {
      out.close();
    }
  }
}
