package org.rollbackjobs.vector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.testing.VectorDb;

class PostgresQueryDocumentSourceTest {
  static String schema;

  @BeforeAll
  static void documents() {
    schema = VectorDb.freshSchema("query_src");
    VectorDb.execute("CREATE TABLE " + schema + ".articles (article_id int, body text, draft boolean)",
        "INSERT INTO " + schema + ".articles SELECT g, 'article number ' || g, g % 10 = 0"
            + " FROM generate_series(1, 2500) g ORDER BY random()");
  }

  private static List<Document> all(DocumentCursor cursor) {
    List<Document> documents = new ArrayList<>();
    try (cursor) {
      cursor.forEachRemaining(documents::add);
    }
    return documents;
  }

  @Test
  void streamsTheQueryOrderedByIdAndResumesByPosition() {
    PostgresQueryDocumentSource source = PostgresQueryDocumentSource.of(VectorDb.dataSource(),
        "SELECT article_id AS id, body FROM " + schema + ".articles WHERE NOT draft", "id", "body");

    List<Document> documents = all(source.open(0));

    assertThat(source.count()).isEqualTo(2250);
    assertThat(source.idType()).isEqualTo(DocIdType.BIGINT);
    assertThat(source.snapshotId()).isNull();
    assertThat(documents).hasSize(2250);
    assertThat(documents.get(0)).isEqualTo(new Document(1L, "article number 1"));
    assertThat(documents).extracting(d -> (Long) d.id()).isSorted();
    assertThat(all(source.open(1001))).isEqualTo(documents.subList(1001, 2250));
  }

  @Test
  void aQueryThatCannotRunOrLacksTheColumnsIsBadInput() {
    assertThatThrownBy(() -> PostgresQueryDocumentSource.of(VectorDb.dataSource(),
        "SELECT article_id, body FROM " + schema + ".articles", "id", "body"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("no column 'id'")
        .hasMessageContaining("article_id, body");
    assertThatThrownBy(() -> PostgresQueryDocumentSource.of(VectorDb.dataSource(),
        "SELECT * FROM nowhere.nothing", "id", "body"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("cannot run");
    assertThatThrownBy(() -> PostgresQueryDocumentSource.of(VectorDb.dataSource(),
        "SELECT 1 AS id, 'x' AS body; DROP TABLE " + schema + ".articles", "id", "body"))
        .isInstanceOf(BadInputException.class);
    assertThat(VectorDb.count("SELECT count(*) FROM " + schema + ".articles")).isEqualTo(2500);
    assertThatThrownBy(() -> PostgresQueryDocumentSource.of(VectorDb.dataSource(), "SELECT 1", "id;", "body"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("--id-column");
  }
}
