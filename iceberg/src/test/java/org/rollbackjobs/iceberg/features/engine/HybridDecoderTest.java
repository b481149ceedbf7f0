package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.io.ParquetDecodingException;
import org.junit.jupiter.api.Test;

/** Data written by Parquet's own hybrid encoder, read back by ours. */
class HybridDecoderTest {

  @Test
  void readsWhatParquetsEncoderWritesAtEveryBitWidth() throws Exception {
    Random random = new Random(7);
    for (int bitWidth = 0; bitWidth <= 32; bitWidth++) {
      int[] values = new int[5_003]; // not a multiple of 8: the last bit-packed group is padded
      long bound = 1L << bitWidth;
      for (int i = 0; i < values.length; i++) {
        // stretches of one value (RLE runs) between stretches of random ones (bit-packed runs)
        boolean repeat = (i / 97) % 2 == 0 && i > 0;
        values[i] = bitWidth == 0 ? 0 : repeat ? values[i - 1] : (int) (random.nextLong() & (bound - 1));
      }
      assertThat(decode(bitWidth, encode(bitWidth, values), values.length)).as("bit width %d", bitWidth)
          .containsExactly(values);
    }
  }

  @Test
  void readsFromTheBuffersPositionToItsLimit() throws Exception {
    int[] values = {1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1};
    byte[] encoded = encode(1, values);
    byte[] framed = new byte[encoded.length + 6];
    Arrays.fill(framed, (byte) 0xFF);
    System.arraycopy(encoded, 0, framed, 3, encoded.length);
    ByteBuffer data = ByteBuffer.wrap(framed, 3, encoded.length);
    HybridDecoder decoder = new HybridDecoder(1).reset(data);
    int[] read = new int[values.length];
    for (int i = 0; i < read.length; i++) {
      read[i] = decoder.next();
    }
    assertThat(read).containsExactly(values);
  }

  @Test
  void readsALastGroupCutShort() {
    // one bit-packed run of one group (header 0b11), 3 values of width 4 in 2 bytes instead of 4
    ByteBuffer data = ByteBuffer.wrap(new byte[] {0b11, 0x21, 0x03});
    HybridDecoder decoder = new HybridDecoder(4).reset(data);
    assertThat(new int[] {decoder.next(), decoder.next(), decoder.next()}).containsExactly(1, 2, 3);
  }

  @Test
  void refusesToReadPastItsData() {
    // one RLE run (header 3 << 1): three times 5
    HybridDecoder decoder = new HybridDecoder(3).reset(ByteBuffer.wrap(new byte[] {3 << 1, 5}));
    for (int i = 0; i < 3; i++) {
      assertThat(decoder.next()).isEqualTo(5);
    }
    assertThatThrownBy(decoder::next).isInstanceOf(ParquetDecodingException.class)
        .hasMessageContaining("ends before all its values were read");
  }

  private static byte[] encode(int bitWidth, int[] values) throws Exception {
    try (RunLengthBitPackingHybridEncoder encoder = new RunLengthBitPackingHybridEncoder(bitWidth, 64, 1 << 20,
        new HeapByteBufferAllocator())) {
      for (int value : values) {
        encoder.writeInt(value);
      }
      BytesInput bytes = encoder.toBytes();
      return bytes.toByteArray();
    }
  }

  private static int[] decode(int bitWidth, byte[] encoded, int count) {
    HybridDecoder decoder = new HybridDecoder(bitWidth).reset(ByteBuffer.wrap(encoded));
    int[] read = new int[count];
    for (int i = 0; i < count; i++) {
      read[i] = decoder.next();
    }
    return read;
  }
}
