package org.rollbackjobs.iceberg.features.value;

import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Writes and reads the values of Iceberg's generic data model (the Java types of Iceberg's generic reader)
 * losslessly, each with a one-byte tag, for the engine's spill files.
 */
public final class ValueCodec {
  static final int NULL = 0;
  static final int STRING = 1;
  static final int LONG = 2;
  static final int INTEGER = 3;
  static final int DOUBLE = 4;
  static final int FLOAT = 5;
  static final int BOOLEAN = 6;
  static final int OFFSET_DATE_TIME = 7;
  static final int LOCAL_DATE_TIME = 8;
  static final int LOCAL_DATE = 9;
  static final int LOCAL_TIME = 10;
  static final int DECIMAL = 11;
  static final int UUID_TAG = 12;
  static final int BINARY = 13;
  static final int FIXED = 14;

  private ValueCodec() {}

  /** What {@link #write} writes for {@code value}, for values written many times. */
  public static byte[] encode(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      write(new DataOutputStream(bytes), value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static void write(DataOutput out, Object value) throws IOException {
    if (value == null) {
      out.writeByte(NULL);
    } else if (value instanceof String s) {
      out.writeByte(STRING);
      writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    } else if (value instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (value instanceof Integer i) {
      out.writeByte(INTEGER);
      out.writeInt(i);
    } else if (value instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (value instanceof Float f) {
      out.writeByte(FLOAT);
      out.writeFloat(f);
    } else if (value instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else if (value instanceof OffsetDateTime t) {
      out.writeByte(OFFSET_DATE_TIME);
      out.writeLong(t.toEpochSecond());
      out.writeInt(t.getNano());
      out.writeInt(t.getOffset().getTotalSeconds());
    } else if (value instanceof LocalDateTime t) {
      out.writeByte(LOCAL_DATE_TIME);
      out.writeLong(t.toEpochSecond(ZoneOffset.UTC));
      out.writeInt(t.getNano());
    } else if (value instanceof LocalDate d) {
      out.writeByte(LOCAL_DATE);
      out.writeLong(d.toEpochDay());
    } else if (value instanceof LocalTime t) {
      out.writeByte(LOCAL_TIME);
      out.writeLong(t.toNanoOfDay());
    } else if (value instanceof BigDecimal d) {
      out.writeByte(DECIMAL);
      out.writeInt(d.scale());
      writeBytes(out, d.unscaledValue().toByteArray());
    } else if (value instanceof UUID u) {
      out.writeByte(UUID_TAG);
      out.writeLong(u.getMostSignificantBits());
      out.writeLong(u.getLeastSignificantBits());
    } else if (value instanceof ByteBuffer b) {
      out.writeByte(BINARY);
      ByteBuffer copy = b.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      writeBytes(out, bytes);
    } else if (value instanceof byte[] bytes) {
      out.writeByte(FIXED);
      writeBytes(out, bytes);
    } else {
      throw new IllegalArgumentException("cannot spill a value of type " + value.getClass().getName());
    }
  }

  public static Object read(DataInput in) throws IOException {
    return read(in, false);
  }

  /**
   * As {@link #read}, for values that repeat across records (the distinct values of a state, a string minimum):
   * read from a {@link SpillInput}, equal strings read shortly after each other are one shared instance, which
   * saves decoding them and makes comparing them an identity check.
   */
  public static Object readShared(DataInput in) throws IOException {
    return read(in, true);
  }

  private static Object read(DataInput in, boolean shared) throws IOException {
    int tag = in.readByte();
    switch (tag) {
      case NULL:
        return null;
      case STRING:
        if (shared && in instanceof SpillInput spill) {
          return spill.readString(in.readInt());
        }
        return new String(readBytes(in), StandardCharsets.UTF_8);
      case LONG:
        return in.readLong();
      case INTEGER:
        return in.readInt();
      case DOUBLE:
        return in.readDouble();
      case FLOAT:
        return in.readFloat();
      case BOOLEAN:
        return in.readBoolean();
      case OFFSET_DATE_TIME: {
        long seconds = in.readLong();
        int nanos = in.readInt();
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(in.readInt());
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), offset);
      }
      case LOCAL_DATE_TIME: {
        long seconds = in.readLong();
        return LocalDateTime.ofEpochSecond(seconds, in.readInt(), ZoneOffset.UTC);
      }
      case LOCAL_DATE:
        return LocalDate.ofEpochDay(in.readLong());
      case LOCAL_TIME:
        return LocalTime.ofNanoOfDay(in.readLong());
      case DECIMAL: {
        int scale = in.readInt();
        return new BigDecimal(new BigInteger(readBytes(in)), scale);
      }
      case UUID_TAG:
        return new UUID(in.readLong(), in.readLong());
      case BINARY:
        return ByteBuffer.wrap(readBytes(in));
      case FIXED:
        return readBytes(in);
      default:
        throw new IOException("corrupt spill file: unknown value tag " + tag);
    }
  }

  /** Rough heap size of a value, for the engine's memory accounting. */
  public static int estimatedBytes(Object value) {
    if (value == null) {
      return 0;
    } else if (value instanceof String s) {
      return 48 + s.length();
    } else if (value instanceof ByteBuffer b) {
      return 64 + b.remaining();
    } else if (value instanceof byte[] bytes) {
      return 24 + bytes.length;
    } else if (value instanceof BigDecimal) {
      return 64;
    } else if (value instanceof OffsetDateTime || value instanceof LocalDateTime) {
      return 72;
    }
    return 24;
  }

  private static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readBytes(DataInput in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return bytes;
  }
}
