package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The spill order (bucket, then unsigned prefix, then full key) equals a comparator sort of the same slots:
 * prefixes with the top bit set, prefixes shared by many keys, bytes every prefix has in common, one bucket
 * and many, and no usable prefixes at all.
 */
class SpillOrderTest {

  @ParameterizedTest
  @CsvSource({"0, 1, true", "1, 1, true", "1000, 1, true", "50000, 3, true", "50000, 7, false", "20000, 2, true"})
  void ordersLikeTheComparator(int count, int buckets, boolean byPrefix) {
    Random random = new Random(count + buckets);
    int[] bucketOf = new int[count];
    long[] prefixOf = new long[count];
    long[] keyOf = new long[count]; // the full key: its prefix decides first, the rest breaks ties
    for (int slot = 0; slot < count; slot++) {
      bucketOf[slot] = random.nextInt(buckets);
      long high = switch (random.nextInt(4)) {
        case 0 -> random.nextLong(); // top bit set half of the time: unsigned order differs from signed
        case 1 -> 0x6300000000000000L | random.nextInt(50); // shared top bytes, few distinct prefixes
        case 2 -> 0x6300000000000000L | (long) random.nextInt(1 << 20) << 16;
        default -> -1L - random.nextInt(3);
      };
      prefixOf[slot] = high;
      keyOf[slot] = random.nextInt(1000);
    }
    Comparator<Integer> keys = (a, b) -> {
      int c = Long.compareUnsigned(prefixOf[a], prefixOf[b]);
      return c != 0 ? c : Long.compare(keyOf[a], keyOf[b]);
    };
    Integer[] expected = new Integer[count];
    for (int i = 0; i < count; i++) {
      expected[i] = i;
    }
    Arrays.sort(expected, Comparator.<Integer>comparingInt(s -> bucketOf[s]).thenComparing(keys));

    int[] actual = SpillOrder.sort(count, bucketOf, buckets, prefixOf, byPrefix, keys::compare);

    // equal keys may come in either order; the sequence of (bucket, prefix, key) must match
    assertThat(actual).hasSize(count);
    assertThat(Arrays.stream(actual).distinct().count()).isEqualTo(count);
    for (int i = 0; i < count; i++) {
      int e = expected[i];
      int a = actual[i];
      assertThat(new long[] {bucketOf[a], prefixOf[a], keyOf[a]}).as("position %d", i)
          .containsExactly(bucketOf[e], prefixOf[e], keyOf[e]);
    }
  }
}
