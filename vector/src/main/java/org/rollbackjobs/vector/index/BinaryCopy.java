package org.rollbackjobs.vector.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.rollbackjobs.vector.source.DocIdType;

/**
 * PostgreSQL's binary COPY format, with pgvector's binary vector (int16 dimension, int16 unused, float4 values,
 * big-endian: what {@code vector_recv} reads). Rows are written into one growable buffer per batch.
 */
public final class BinaryCopy {
  private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

  private ByteBuffer buffer;

  public BinaryCopy(int initialBytes) {
    buffer = ByteBuffer.allocate(Math.max(64, initialBytes));
    buffer.put(SIGNATURE).putInt(0).putInt(0); // flags, header extension length
  }

  public BinaryCopy startRow(int fields) {
    ensure(2);
    buffer.putShort((short) fields);
    return this;
  }

  public BinaryCopy id(Object id, DocIdType type) {
    if (type == DocIdType.BIGINT) {
      return int8((Long) id);
    }
    return text(((String) id).getBytes(StandardCharsets.UTF_8));
  }

  public BinaryCopy vector(float[] values) {
    ensure(8 + 4 * values.length);
    buffer.putInt(4 + 4 * values.length).putShort((short) values.length).putShort((short) 0);
    buffer.asFloatBuffer().put(values); // bulk, big-endian like the buffer
    buffer.position(buffer.position() + 4 * values.length);
    return this;
  }

  /** A text field from bytes already in UTF-8 (encode constants once per batch, not once per row). */
  public BinaryCopy text(byte[] utf8) {
    ensure(4 + utf8.length);
    buffer.putInt(utf8.length).put(utf8);
    return this;
  }

  public BinaryCopy int8(Long value) {
    if (value == null) {
      return nullField();
    }
    ensure(12);
    buffer.putInt(8).putLong(value);
    return this;
  }

  public BinaryCopy nullField() {
    ensure(4);
    buffer.putInt(-1);
    return this;
  }

  /** Where encoded bytes go while rows are still being added (pgjdbc's CopyIn). */
  public interface Sink {
    void write(byte[] bytes, int offset, int length) throws java.sql.SQLException;
  }

  /** Bytes encoded so far and not yet flushed. */
  public int size() {
    return buffer.position();
  }

  /** Hands the bytes encoded so far to {@code sink} and reuses the buffer. */
  public void flushTo(Sink sink) throws java.sql.SQLException {
    sink.write(buffer.array(), 0, buffer.position());
    buffer.clear();
  }

  /** Writes the trailer and flushes the rest. */
  public void endTo(Sink sink) throws java.sql.SQLException {
    ensure(2);
    buffer.putShort((short) -1);
    flushTo(sink);
  }

  /** The whole COPY stream: header, rows, trailer. */
  public byte[] finish() {
    ensure(2);
    buffer.putShort((short) -1);
    byte[] bytes = new byte[buffer.position()];
    buffer.flip();
    buffer.get(bytes);
    return bytes;
  }

  private void ensure(int bytes) {
    if (buffer.remaining() < bytes) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes + 1024));
      buffer.flip();
      bigger.put(buffer);
      buffer = bigger;
    }
  }
}
