package org.rollbackjobs.iceberg.features.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SpillOutput} writes byte for byte what {@link DataOutputStream} writes and {@link SpillInput} reads it
 * back, whatever the buffer size (values across buffer boundaries, values longer than the buffer); shared reads
 * give equal strings as one instance.
 */
class SpillStreamsTest {
  private static final List<Object> VALUES = List.of("grocery", "", "ünïcödé ✓", "x".repeat(70), "y".repeat(5000),
      Long.MIN_VALUE, 42L, Integer.MAX_VALUE, -1.5, Double.NaN, 2.5f, true, false,
      OffsetDateTime.of(2026, 11, 26, 4, 33, 0, 123, ZoneOffset.ofHours(2)), LocalDate.of(2026, 1, 2),
      new BigDecimal("-1234.5678"), new UUID(1, 2), ByteBuffer.wrap(new byte[] {1, 2, 3}));

  private static void writeAll(DataOutput out) throws IOException {
    for (int round = 0; round < 50; round++) {
      out.writeByte(round);
      out.writeShort(-round);
      out.writeChar('a' + round);
      out.writeInt(round * 1_000_003);
      out.writeLong(round * 1_000_000_007L);
      out.writeFloat(round / 3f);
      out.writeDouble(-round / 7.0);
      out.writeBoolean(round % 2 == 0);
      out.writeUTF("utf " + round);
      for (Object value : VALUES) {
        ValueCodec.write(out, value);
      }
      ValueCodec.write(out, null);
    }
  }

  private static List<Object> readAll(DataInput in, boolean shared) throws IOException {
    List<Object> read = new ArrayList<>();
    for (int round = 0; round < 50; round++) {
      read.add(in.readByte());
      read.add(in.readShort());
      read.add(in.readChar());
      read.add(in.readInt());
      read.add(in.readLong());
      read.add(in.readFloat());
      read.add(in.readDouble());
      read.add(in.readBoolean());
      read.add(in.readUTF());
      for (int i = 0; i <= VALUES.size(); i++) {
        read.add(shared ? ValueCodec.readShared(in) : ValueCodec.read(in));
      }
    }
    return read;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 64, 100, 65536})
  void sameBytesAsDataStreamsAndReadBack(int bufferSize) throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(expected)) {
      writeAll(out);
    }
    ByteArrayOutputStream actual = new ByteArrayOutputStream();
    try (SpillOutput out = new SpillOutput(actual, bufferSize)) {
      writeAll(out);
    }
    assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());

    List<Object> reference = readAll(new DataInputStream(new ByteArrayInputStream(expected.toByteArray())), false);
    for (boolean shared : new boolean[] {false, true}) {
      try (SpillInput in = new SpillInput(new ByteArrayInputStream(actual.toByteArray()), bufferSize)) {
        assertThat(readAll(in, shared)).isEqualTo(reference);
        assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 65536})
  void sharedReadsGiveOneInstancePerRecentString(int bufferSize) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (SpillOutput out = new SpillOutput(bytes, bufferSize)) {
      for (int i = 0; i < 1000; i++) {
        ValueCodec.write(out, i % 2 == 0 ? "grocery" : "travel");
        ValueCodec.write(out, "customer-" + i);
      }
    }
    try (SpillInput in = new SpillInput(new ByteArrayInputStream(bytes.toByteArray()), bufferSize)) {
      Object grocery = ValueCodec.readShared(in);
      assertThat(ValueCodec.read(in)).isEqualTo("customer-0");
      Object travel = ValueCodec.readShared(in);
      assertThat(ValueCodec.read(in)).isEqualTo("customer-1");
      assertThat(List.of(grocery, travel)).containsExactly("grocery", "travel");
      for (int i = 2; i < 1000; i++) {
        Object category = ValueCodec.readShared(in);
        assertThat(category).isSameAs(i % 2 == 0 ? grocery : travel);
        assertThat(ValueCodec.read(in)).isEqualTo("customer-" + i);
      }
    }
  }
}
