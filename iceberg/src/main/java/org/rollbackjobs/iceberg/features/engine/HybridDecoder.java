package org.rollbackjobs.iceberg.features.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary ids) decoded straight from a page's
 * bytes, eight bit-packed values at a time with Parquet's {@link BytePacker}. Parquet's own decoder allocates two
 * arrays and a stream for every bit-packed run and reads through stream calls; this one allocates nothing per
 * page and is one small class the JIT inlines into the column loops.
 */
final class HybridDecoder {
  private final int bitWidth;
  private final BytePacker packer;
  private final int rleBytes;
  private final int[] group = new int[8];
  /** Room for a last group cut short by the end of the data (writers may drop its padding). */
  private final byte[] padded;
  private ByteBuffer in;
  private int position;
  private int end;
  private int rleLeft;
  private int rleValue;
  private int packedLeft;
  private int groupAt = 8;

  HybridDecoder(int bitWidth) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new ParquetDecodingException("invalid bit width " + bitWidth + " of RLE/bit-packed hybrid data");
    }
    this.bitWidth = bitWidth;
    this.packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
    this.rleBytes = (bitWidth + 7) / 8;
    this.padded = new byte[bitWidth];
  }

  int bitWidth() {
    return bitWidth;
  }

  /** Decodes {@code data} from its position to its limit from now on. */
  HybridDecoder reset(ByteBuffer data) {
    this.in = data;
    this.position = data.position();
    this.end = data.limit();
    this.rleLeft = 0;
    this.packedLeft = 0;
    this.groupAt = 8;
    return this;
  }

  int next() {
    if (rleLeft > 0) {
      rleLeft--;
      return rleValue;
    }
    if (packedLeft > 0) {
      packedLeft--;
      if (groupAt == 8) {
        unpackGroup();
      }
      return group[groupAt++];
    }
    readHeader();
    return next();
  }

  private void readHeader() {
    int header = 0;
    for (int shift = 0; ; shift += 7) {
      if (position >= end || shift > 28) {
        throw new ParquetDecodingException("RLE/bit-packed hybrid data ends before all its values were read");
      }
      int b = in.get(position++);
      header |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if ((header & 1) == 0) {
      rleLeft = header >>> 1;
      int value = 0;
      for (int i = 0; i < rleBytes; i++) {
        value |= (in.get(position + i) & 0xFF) << (8 * i);
      }
      position += rleBytes;
      rleValue = value;
    } else {
      packedLeft = (header >>> 1) * 8;
      groupAt = 8;
    }
    if (rleLeft == 0 && packedLeft == 0) {
      readHeader(); // an empty run: legal, if pointless
    }
  }

  private void unpackGroup() {
    if (position + bitWidth <= end) {
      packer.unpack8Values(in, position, group, 0);
    } else { // the last group of the data, cut short
      Arrays.fill(padded, (byte) 0);
      in.get(position, padded, 0, Math.max(0, end - position));
      packer.unpack8Values(padded, 0, group, 0);
    }
    position += bitWidth;
    groupAt = 0;
  }
}
