package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.value.ValueOrder;

/** A smaller prefix must always mean a smaller key in the order spill runs are sorted and merged by. */
class KeyPrefixTest {
  private static final String ALPHABET = "\u0000\u0001azAZ09-_\u00e9\u00ff\u0100\u0416\uffff";

  @Test
  void aSmallerPrefixMeansASmallerString() {
    List<Object> keys = values(new Random(1), r -> {
      StringBuilder s = new StringBuilder();
      int length = r.nextInt(12);
      for (int i = 0; i < length; i++) {
        s.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
      }
      return s.toString();
    });
    keys.addAll(List.of("", "c1", "c10", "c2", "customer-000001", "customer-000002", "\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff",
        "\u00ff\u0100", "\u0100", "a\u0000", "a"));
    assertConsistent(keys, 1);
  }

  @Test
  void aSmallerPrefixMeansASmallerNumberAndPrefixesOfNumbersAreExact() {
    List<Object> longs = values(new Random(2), r -> r.nextBoolean() ? r.nextLong() : (long) r.nextInt(100) - 50);
    longs.addAll(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L));
    assertConsistent(longs, 0);
    List<Object> ints = values(new Random(3), r -> r.nextBoolean() ? r.nextInt() : r.nextInt(100) - 50);
    ints.addAll(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1));
    assertConsistent(ints, 0);
  }

  @Test
  void compositeKeysByTheirFirstValueAndNullFirst() {
    Keys.Composite a = new Keys.Composite(new Object[] {"b", 1L});
    Keys.Composite b = new Keys.Composite(new Object[] {"c", 0L});
    assertThat(Long.compareUnsigned(KeyPrefix.of(a), KeyPrefix.of(b))).isNegative();
    assertThat(KeyPrefix.of(null)).isZero();
    assertThat(KeyPrefix.of(3.5)).as("other types: the full order decides").isZero();
  }

  private static List<Object> values(Random random, Function<Random, Object> value) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      values.add(value.apply(random));
    }
    values.add(null);
    return values;
  }

  /** Every pair: prefix order implies key order; with {@code maxEqualPrefixTies} 0, equal prefixes mean equal keys. */
  private static void assertConsistent(List<Object> keys, int maxEqualPrefixTies) {
    int ties = 0;
    for (Object a : keys) {
      for (Object b : keys) {
        int byPrefix = Long.compareUnsigned(KeyPrefix.of(a), KeyPrefix.of(b));
        int byKey = ValueOrder.INSTANCE.compare(a, b);
        if (byPrefix != 0) {
          assertThat(Integer.signum(byKey)).as("%s vs %s", a, b).isEqualTo(Integer.signum(byPrefix));
        } else if (byKey != 0 && a != null && b != null) {
          ties++;
        }
      }
    }
    if (maxEqualPrefixTies == 0) {
      assertThat(ties).as("numbers have exact prefixes").isZero();
    }
  }
}
