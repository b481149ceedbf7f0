package org.rollbackjobs.iceberg.features.engine;

/**
 * The keys of a batch of rows packed as {@link StateTable} compares them: short strings (up to 15 Latin-1
 * characters) and integers in two longs, compared there alone ({@link #exact}); other keys as their hash, compared
 * with equals. A column can pack its keys straight from their bytes and make the key object only when the table
 * asks for it ({@link #keyAt}: a new key, or one that does not pack exactly), so that a row of a known key makes
 * no object at all.
 */
class PackedKeys {
  static final int MAX_PACKED_CHARS = 15;
  /** Second long of a packed key that is not a string: its top byte is above any packed string's length. */
  private static final long LONG_TAG = 0xFFL << 56 | 1;
  private static final long INT_TAG = 0xFFL << 56 | 2;
  private static final long HASHED_TAG = 0xFFL << 56 | 3;

  final long[] first;
  final long[] second;
  final boolean[] exact;

  PackedKeys(int capacity) {
    first = new long[capacity];
    second = new long[capacity];
    exact = new boolean[capacity];
  }

  int capacity() {
    return first.length;
  }

  /** The key of row {@code i}, for a batch packed without its key objects. */
  Object keyAt(int i) {
    throw new UnsupportedOperationException("the keys of this batch were packed from their objects");
  }

  /** Packs {@code key} (null allowed) as row {@code i}. */
  final void pack(int i, Object key) {
    exact[i] = true;
    if (key instanceof String s && s.length() <= MAX_PACKED_CHARS && packLatin1(i, s)) {
      return;
    } else if (key instanceof Long l) {
      first[i] = l;
      second[i] = LONG_TAG;
      return;
    } else if (key instanceof Integer n) {
      first[i] = n;
      second[i] = INT_TAG;
      return;
    }
    exact[i] = false;
    first[i] = key == null ? 0 : key.hashCode();
    second[i] = HASHED_TAG;
  }

  /**
   * Packs the string of UTF-8 bytes {@code bytes[offset, offset + length)} as row {@code i}, as {@link #pack} packs
   * that string, if the bytes are ASCII and few enough; false (nothing packed) otherwise.
   */
  final boolean packAscii(int i, byte[] bytes, int offset, int length) {
    if (length > MAX_PACKED_CHARS) {
      return false;
    }
    long a = 0;
    long b = (long) length << 56;
    for (int k = 0; k < length; k++) {
      long c = bytes[offset + k];
      if (c < 0) { // a byte of a multi-byte character
        return false;
      }
      if (k < 8) {
        a |= c << (k * 8);
      } else {
        b |= c << ((k - 8) * 8);
      }
    }
    first[i] = a;
    second[i] = b;
    exact[i] = true;
    return true;
  }

  /** Copies row {@code from} of {@code other} as row {@code i}. */
  final void copy(int i, PackedKeys other, int from) {
    first[i] = other.first[from];
    second[i] = other.second[from];
    exact[i] = other.exact[from];
  }

  private boolean packLatin1(int i, String s) {
    int length = s.length();
    long a = 0;
    long b = (long) length << 56;
    for (int k = 0; k < length; k++) {
      long c = s.charAt(k);
      if (c > 0xFF) {
        return false;
      }
      if (k < 8) {
        a |= c << (k * 8);
      } else {
        b |= c << ((k - 8) * 8);
      }
    }
    first[i] = a;
    second[i] = b;
    return true;
  }
}
