package org.rollbackjobs.vector.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.vector.source.DocIdType;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.testing.VectorDb;

/** The binary COPY loader against PostgreSQL's own reading of what it wrote. */
class VectorCopyLoaderTest {

  private static IndexBuild build(String schema, DocIdType idType, int dimension, Long snapshot) throws Exception {
    try (Connection c = VectorDb.dataSource().getConnection()) {
      IndexBuild build = BuildRegistry.insertBuild(c, IndexName.of(schema, "copied"), IndexBuild.KIND_BUILD,
          "test-version", dimension, idType, "test", snapshot, Map.of("shape", "none"), null, "test", "test",
          IndexBuild.BUILDING);
      BuildTable.create(c, build);
      return build;
    }
  }

  @Test
  void textIdsVectorsAndContentHashesArriveExactlyAsPostgresqlReadsThem() throws Exception {
    String schema = VectorDb.freshSchema("copy");
    IndexBuild build = build(schema, DocIdType.TEXT, 5, 77L);
    List<Document> documents = List.of(
        new Document("plain", "hello world"),
        new Document("with 'quotes'\tand\\tabs\nnewline", "text with \"quotes\" and a\ttab"),
        new Document("ünïcødé-✓", "Grüße aus Köln — 東京"),
        new Document("empty-ish", "x"));
    List<float[]> vectors = List.of(
        new float[] {0f, -0f, 1f, -1f, 0.5f},
        new float[] {Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f, 3.1415927f},
        new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f},
        new float[] {-123.456f, 7e7f, 1f / 3, 2f / 3, 0.99999994f});

    try (Connection c = VectorDb.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThat(new VectorCopyLoader(build).load(c, documents, vectors)).isEqualTo(4);
      c.commit();

      for (int i = 0; i < documents.size(); i++) {
        try (PreparedStatement s = c.prepareStatement("SELECT embedding::text, embedding_version, source_snapshot,"
            + " content_hash = encode(sha256(convert_to(?, 'UTF8')), 'hex') FROM " + build.tableSql()
            + " WHERE doc_id = ?")) {
          s.setString(1, documents.get(i).text());
          s.setString(2, (String) documents.get(i).id());
          try (ResultSet rs = s.executeQuery()) {
            assertThat(rs.next()).as("row of " + documents.get(i).id()).isTrue();
            assertThat(parse(rs.getString(1))).containsExactly(vectors.get(i));
            assertThat(rs.getString(2)).isEqualTo("test-version");
            assertThat(rs.getLong(3)).isEqualTo(77L);
            assertThat(rs.getBoolean(4)).as("content hash of " + documents.get(i).id()).isTrue();
          }
        }
      }
    }
  }

  @Test
  void largeBatchesOfBigintIdsAreCopiedInOneStatementEach() throws Exception {
    String schema = VectorDb.freshSchema("copy");
    IndexBuild build = build(schema, DocIdType.BIGINT, 384, null);
    SplittableRandom random = new SplittableRandom(1);
    List<Document> documents = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    for (long id = 1; id <= 5000; id++) {
      documents.add(new Document(id * 1_000_000_007L, "document " + id));
      float[] v = new float[384];
      for (int d = 0; d < v.length; d++) {
        v[d] = (float) random.nextGaussian();
      }
      vectors.add(v);
    }
    try (Connection c = VectorDb.dataSource().getConnection()) {
      c.setAutoCommit(false);
      VectorCopyLoader loader = new VectorCopyLoader(build);
      assertThat(loader.load(c, documents.subList(0, 2500), vectors.subList(0, 2500))).isEqualTo(2500);
      assertThat(loader.load(c, documents.subList(2500, 5000), vectors.subList(2500, 5000))).isEqualTo(2500);
      c.commit();
    }
    assertThat(VectorDb.count("SELECT count(*) FROM " + build.tableSql() + " WHERE source_snapshot IS NULL"))
        .isEqualTo(5000);
    assertThat(VectorDb.column("SELECT embedding::text FROM " + build.tableSql() + " WHERE doc_id = "
        + 4321 * 1_000_000_007L)).singleElement().satisfies(text -> assertThat(parse(text)).containsExactly(vectors.get(4320)));
  }

  static float[] parse(String text) {
    String[] parts = text.substring(1, text.length() - 1).split(",");
    float[] values = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Float.parseFloat(parts[i]);
    }
    return values;
  }
}
