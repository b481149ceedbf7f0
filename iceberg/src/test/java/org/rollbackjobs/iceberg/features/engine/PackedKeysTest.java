package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A string packed from its UTF-8 bytes is packed as the String is, so that keys read from plain pages and from
 * dictionary pages (or through the row path) meet in the same table cell; bytes that do not pack say so.
 */
class PackedKeysTest {
  @Test
  void bytesPackAsTheirString() {
    PackedKeys fromBytes = new PackedKeys(1);
    PackedKeys fromString = new PackedKeys(1);
    for (String s : List.of("", "c", "c42", "customer", "customer1", "c123456789012345".substring(0, 15), "a\u0000b",
        "0000000", "\u007f~")) {
      byte[] utf8 = ("xx" + s).getBytes(StandardCharsets.UTF_8);
      assertThat(fromBytes.packAscii(0, utf8, 2, utf8.length - 2)).as(s).isTrue();
      fromString.pack(0, s);
      assertThat(fromBytes.first[0]).as(s).isEqualTo(fromString.first[0]);
      assertThat(fromBytes.second[0]).as(s).isEqualTo(fromString.second[0]);
      assertThat(fromBytes.exact[0]).isEqualTo(fromString.exact[0]).isTrue();
    }
  }

  @Test
  void longOrNonAsciiBytesDoNotPack() {
    PackedKeys keys = new PackedKeys(1);
    for (String s : List.of("c1234567890123456", "caf\u00e9", "\u65e5\u672c")) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      assertThat(keys.packAscii(0, utf8, 0, utf8.length)).as(s).isFalse();
    }
    // a short Latin-1 string packs from its String (chars up to 0xFF), as before
    keys.pack(0, "caf\u00e9");
    assertThat(keys.exact[0]).isTrue();
    keys.pack(0, "\u65e5\u672c");
    assertThat(keys.exact[0]).isFalse();
  }
}
