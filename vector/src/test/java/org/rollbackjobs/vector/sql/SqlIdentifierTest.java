package org.rollbackjobs.vector.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.index.IndexName;

class SqlIdentifierTest {

  @ParameterizedTest
  @ValueSource(strings = {"docs\"; DROP TABLE x; --", "docs;drop", "my docs", "docs'", "a.b", "a-b", "1docs", "",
      "d\u00f6cs", "docs\n"})
  void unsafeNamesAreRefusedBeforeAnySql(String name) {
    assertThatThrownBy(() -> SqlIdentifier.check("index name", name))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("index name");
    assertThatThrownBy(() -> IndexName.of("public", name)).isInstanceOf(BadInputException.class);
    if (!name.isEmpty()) { // an empty schema means the default, public
      assertThatThrownBy(() -> IndexName.of(name, "docs")).isInstanceOf(BadInputException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"docs", "Docs_2", "_private", "a"})
  void safeNamesAreQuotedAsTheyAre(String name) {
    assertThat(SqlIdentifier.check("index name", name)).isEqualTo(name);
    assertThat(SqlIdentifier.quote(name)).isEqualTo("\"" + name + "\"");
    assertThat(IndexName.of(null, name).sql()).isEqualTo("\"public\".\"" + name + "\"");
  }

  @org.junit.jupiter.api.Test
  void indexNamesLeaveRoomForBuildTables() {
    assertThatThrownBy(() -> IndexName.of("public", "x".repeat(41))).hasMessageContaining("longer than 40");
    assertThat(IndexName.of("public", "x".repeat(40)).buildTable(123)).hasSize(46);
  }
}
