package org.rollbackjobs.vector.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.RebuildResult;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.VectorDb;

/** Rebuilding from vectors stored in an Iceberg table: no model runs, and the result equals the model's. */
class StoredEmbeddingsTest {
  static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "doc_id", Types.LongType.get()),
      Types.NestedField.required(2, "embedding_version", Types.StringType.get()),
      Types.NestedField.required(3, "embedding", Types.ListType.ofRequired(4, Types.FloatType.get())));

  @TempDir static Path warehouse;
  static Catalog catalog;
  static IcebergDocumentSource source;
  static Embedder modelA;
  static Embedder modelB;
  static Table stored;
  static long storedSnapshot;

  @BeforeAll
  static void vectorsComputedEarlier() {
    catalog = VectorDb.catalog(warehouse);
    source = IcebergDocumentSource.of(Documents.create(catalog, "stored.docs", 150, 2, 31), null, "id", "text");
    modelA = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
    modelB = BuiltInModel.BGE_SMALL_EN_V15_Q.embedder(VectorDb.executor());
    List<Document> documents = new ArrayList<>();
    try (DocumentCursor all = source.open(0)) {
      all.forEachRemaining(documents::add);
    }
    TableIdentifier id = TableName.parse("stored.vectors");
    stored = catalog.createTable(id, SCHEMA, PartitionSpec.unpartitioned(), Map.of(TableProperties.FORMAT_VERSION, "2"));
    List<Record> rows = new ArrayList<>();
    rows.addAll(rows(documents, modelA));
    rows.addAll(rows(documents.subList(0, 50), modelB)); // another version's vectors in the same table
    stored.newAppend().appendFile(GenericDataFiles.write(stored, rows)).commit();
    storedSnapshot = stored.currentSnapshot().snapshotId();
  }

  static List<Record> rows(List<Document> documents, Embedder model) {
    List<float[]> vectors = model.embed(documents.stream().map(Document::text).toList());
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      GenericRecord r = GenericRecord.create(SCHEMA);
      r.setField("doc_id", documents.get(i).id());
      r.setField("embedding_version", model.version().name());
      List<Float> values = new ArrayList<>();
      for (float v : vectors.get(i)) {
        values.add(v);
      }
      r.setField("embedding", values);
      rows.add(r);
    }
    return rows;
  }

  @Test
  void aRebuildFromStoredVectorsEqualsTheRebuildWithTheModel() {
    String schema = VectorDb.freshSchema("stored");
    EmbeddingVersion a = modelA.version();
    RebuildResult fromStored;
    try (StoredEmbeddings vectors = StoredEmbeddings.of(stored, storedSnapshot, a)) {
      fromStored = IndexRebuild.of(VectorDb.dataSource()).index(IndexName.of(schema, "from_stored")).version(a)
          .vectors(vectors).source(source).createIfMissing(true).reason("stored").commit();
    }
    IndexRebuild.of(VectorDb.dataSource()).index(IndexName.of(schema, "from_model")).version(a)
        .vectors(VectorSource.embedding(modelA)).source(source).createIfMissing(true).reason("model").commit();

    assertThat(fromStored.plan().vectors()).isEqualTo("stored " + stored.name() + "@" + storedSnapshot);
    assertThat(fromStored.validation().passed()).isTrue();
    assertThat(VectorDb.count("SELECT count(*) FROM " + schema + ".from_stored s JOIN " + schema
        + ".from_model m USING (doc_id) WHERE s.embedding = m.embedding AND s.content_hash = m.content_hash"))
        .isEqualTo(150);
    assertThat(VectorDb.column("SELECT DISTINCT embedding_version FROM " + schema + ".from_stored"))
        .containsExactly(a.name());
  }

  @Test
  void aDocumentWithoutAStoredVectorFailsTheLoadNamingIt() {
    String schema = VectorDb.freshSchema("stored");
    EmbeddingVersion b = modelB.version(); // only documents of the first 50 have B vectors
    try (StoredEmbeddings vectors = StoredEmbeddings.of(stored, storedSnapshot, b)) {
      assertThatThrownBy(() -> IndexRebuild.of(VectorDb.dataSource()).index(IndexName.of(schema, "partial"))
          .version(b).vectors(vectors).source(source).createIfMissing(true).reason("stored").commit())
          .hasMessageContaining("hold no vector of version " + b.name() + " for document");
    }
    assertThat(VectorDb.column("SELECT to_regclass('" + schema + ".partial')::text")).containsOnlyNulls();
  }

  @Test
  void aTableWithoutTheColumnsIsBadInput() {
    Table documents = catalog.loadTable(TableName.parse("stored.docs"));
    assertThatThrownBy(() -> StoredEmbeddings.of(documents, null, modelA.version()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("needs columns doc_id, embedding_version (string) and embedding (list<float>)");
  }
}
