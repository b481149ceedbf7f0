package org.rollbackjobs.vector.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Distance;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.embedding.EmbeddingRegistry;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.Normalization;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.SwitchBack;
import org.rollbackjobs.vector.source.DocumentSource;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.source.PostgresQueryDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.VectorDb;

/**
 * Real mixed-version states, one per finding kind, each made the way it happens (or the way someone makes it by
 * hand with psql and Iceberg's API): a real Iceberg table with real Parquet files at several snapshots, indexes
 * built by {@link IndexRebuild} with the real in-process models, then damaged. Each must be reported with the right
 * count and examples, and nothing else; a clean index must give no finding.
 */
class IndexCheckTest {
  static final int DOCUMENTS = 40;
  static final long SEED = 5;

  @TempDir static Path warehouse;
  static DataSource db;
  static String schema;
  static Table table;
  static Embedder modelA;
  static Embedder modelB;
  static EmbeddingVersion a;
  static EmbeddingVersion b;
  /** 40 documents. */
  static long s1;
  /** s1 plus documents 41 to 43. */
  static long s2;
  /** Documents 41 to 43 deleted again: the content of s1 under another snapshot id. */
  static long s3;
  /** s3 with the texts of documents 5 and 9 changed. */
  static long s4;

  @BeforeAll
  static void documentsAtFourSnapshots() {
    db = VectorDb.dataSource();
    schema = VectorDb.freshSchema("verify");
    table = Documents.create(VectorDb.catalog(warehouse), "kb.verify_docs", DOCUMENTS, 2, SEED);
    s1 = table.currentSnapshot().snapshotId();
    Documents.append(table, DOCUMENTS + 1, 3, 1, SEED);
    s2 = table.currentSnapshot().snapshotId();
    List<DataFile> added = new ArrayList<>();
    table.currentSnapshot().addedDataFiles(table.io()).forEach(added::add);
    var delete = table.newDelete();
    added.forEach(delete::deleteFile);
    delete.commit();
    table.refresh();
    s3 = table.currentSnapshot().snapshotId();
    changeTexts(table, Map.of(5L, "The texts of document five were rewritten by the bad pipeline.",
        9L, "Document nine now talks about something else entirely."));
    s4 = table.currentSnapshot().snapshotId();

    modelA = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
    modelB = BuiltInModel.BGE_SMALL_EN_V15_Q.embedder(VectorDb.executor());
    a = modelA.version();
    b = modelB.version();
    try (Connection c = db.getConnection()) {
      EmbeddingRegistry.ensure(c, a);
      EmbeddingRegistry.ensure(c, b);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static IcebergDocumentSource at(long snapshot) {
    return IcebergDocumentSource.of(table, snapshot, "id", "text");
  }

  /** Builds (and switches) {@code name} from {@code source} with model A; returns the new build. */
  static IndexBuild build(String name, DocumentSource source) {
    return IndexRebuild.of(db).index(IndexName.of(schema, name)).version(a).vectors(VectorSource.embedding(modelA))
        .source(source).createIfMissing(true).force(true).batchSize(64).reason("test").actor("test").commit().build();
  }

  /** The check a manifest pinning version A, {@code snapshot} and {@code build} runs. */
  static IndexCheck check(String name, long snapshot, IndexBuild pinnedBuild) {
    return IndexCheck.of(db, IndexName.of(schema, name)).embedding(a.name()).source(at(snapshot), snapshot)
        .pinnedBuild(pinnedBuild == null ? null : pinnedBuild.id()).exampleLimit(5);
  }

  static String view(String name) {
    return schema + "." + name;
  }

  @Test
  void aCleanIndexPassesWithNoFinding() {
    IndexBuild built = build("clean", at(s1));

    IndexCheckReport report = check("clean", s1, built).run();

    assertThat(report.findings()).as(report.toText()).isEmpty();
    assertThat(report.clean()).isTrue();
    assertThat(report.servingBuildId()).isEqualTo(built.id());
    assertThat(report.buildTable()).isEqualTo(schema + "." + built.buildTable());
    assertThat(report.sourceDocuments()).isEqualTo(DOCUMENTS);
    assertThat(report.rows()).isEqualTo(DOCUMENTS);
    assertThat(report.versions()).containsExactly(Map.entry(a.name(), (long) DOCUMENTS));
    assertThat(report.sourceSnapshot()).isEqualTo(s1);
    assertThat(report.toText()).contains("clean");
    assertThat(report.toMap()).containsEntry("clean", true).containsEntry("findings", List.of());

    // a forced rebuild (same version, same snapshot) serves an equivalent build: still clean against the old pin
    IndexBuild again = build("clean", at(s1));
    assertThat(again.id()).isNotEqualTo(built.id());
    IndexCheckReport equivalent = check("clean", s1, built).run();
    assertThat(equivalent.findings()).as(equivalent.toText()).isEmpty();
    assertThat(equivalent.servingBuildId()).isEqualTo(again.id());
  }

  @Test
  void vectorsOfTwoModelsInTheServingBuildAreMixedEmbeddingVersions() {
    IndexBuild built = build("mixed", at(s1));
    List<Long> reembedded = List.of(2L, 4L, 6L, 8L, 10L, 12L, 14L);
    reembed(view("mixed"), reembedded, modelB);

    IndexCheckReport report = check("mixed", s1, built).run();

    assertThat(report.kinds()).as(report.toText()).containsExactly(IndexFinding.MIXED_EMBEDDING_VERSIONS);
    IndexFinding finding = report.finding(IndexFinding.MIXED_EMBEDDING_VERSIONS).orElseThrow();
    assertThat(finding.count()).isEqualTo(7);
    assertThat(finding.examples()).containsExactly("2", "4", "6", "8", "10");
    assertThat(finding.message()).contains(view("mixed")).contains("pinned " + a.name())
        .contains(b.name() + " (7 rows)").contains(a.name() + " (33 rows)");
    assertThat(report.versions()).containsEntry(a.name(), 33L).containsEntry(b.name(), 7L);
  }

  @Test
  void documentsRemovedFromTheBuildAreMissing() {
    IndexBuild built = build("missing", at(s1));
    VectorDb.execute("DELETE FROM " + view("missing") + " WHERE doc_id IN (13, 7)");

    IndexCheckReport report = check("missing", s1, built).run();

    assertThat(report.kinds()).as(report.toText()).containsExactly(IndexFinding.MISSING_DOCUMENTS);
    IndexFinding finding = report.finding(IndexFinding.MISSING_DOCUMENTS).orElseThrow();
    assertThat(finding.count()).isEqualTo(2);
    assertThat(finding.examples()).containsExactly("7", "13");
    assertThat(finding.message()).contains("2 of the 40 documents").contains("@" + s1);
  }

  @Test
  void documentsAddedInThePinnedSnapshotAreMissingFromABuildOfAnOlderOne() {
    IndexBuild built = build("added", at(s1));

    IndexCheckReport report = check("added", s2, null).run();

    assertThat(report.kinds()).as(report.toText())
        .containsExactly(IndexFinding.STALE_BUILD, IndexFinding.MISSING_DOCUMENTS);
    assertThat(report.finding(IndexFinding.MISSING_DOCUMENTS).orElseThrow().examples())
        .containsExactly("41", "42", "43");
    assertThat(report.finding(IndexFinding.MISSING_DOCUMENTS).orElseThrow().count()).isEqualTo(3);
    IndexFinding stale = report.finding(IndexFinding.STALE_BUILD).orElseThrow();
    assertThat(stale.message()).contains("built from snapshot " + s1).contains("not the pinned snapshot " + s2);
    assertThat(stale.examples()).containsExactly(Long.toString(built.id()));
  }

  @Test
  void rowsWhoseDocumentIsNotInThePinnedSnapshotAreExtra() {
    IndexBuild built = build("extra", at(s1));
    VectorDb.execute("INSERT INTO " + view("extra") + " (doc_id, embedding, embedding_version, source_snapshot,"
        + " content_hash) SELECT 1000, embedding, embedding_version, source_snapshot, content_hash FROM "
        + view("extra") + " WHERE doc_id = 1");

    IndexCheckReport report = check("extra", s1, built).run();

    assertThat(report.kinds()).as(report.toText()).containsExactly(IndexFinding.EXTRA_DOCUMENTS);
    IndexFinding finding = report.finding(IndexFinding.EXTRA_DOCUMENTS).orElseThrow();
    assertThat(finding.count()).isEqualTo(1);
    assertThat(finding.examples()).containsExactly("1000");

    // documents deleted in the pinned snapshot: a build of the snapshot before holds them
    build("deleted", at(s2));
    IndexCheckReport deleted = check("deleted", s3, null).run();
    assertThat(deleted.kinds()).as(deleted.toText())
        .containsExactly(IndexFinding.STALE_BUILD, IndexFinding.EXTRA_DOCUMENTS);
    assertThat(deleted.finding(IndexFinding.EXTRA_DOCUMENTS).orElseThrow().count()).isEqualTo(3);
    assertThat(deleted.finding(IndexFinding.EXTRA_DOCUMENTS).orElseThrow().examples())
        .containsExactly("41", "42", "43");
  }

  @Test
  void aDocumentWithTwoRowsIsDuplicated() {
    IndexBuild built = build("dup", at(s1));
    VectorDb.execute("INSERT INTO " + view("dup") + " (doc_id, embedding, embedding_version, source_snapshot,"
        + " content_hash) SELECT doc_id, embedding, embedding_version, source_snapshot, content_hash FROM "
        + view("dup") + " WHERE doc_id IN (3, 30)");

    IndexCheckReport report = check("dup", s1, built).run();

    assertThat(report.kinds()).as(report.toText()).containsExactly(IndexFinding.DUPLICATE_DOCUMENTS);
    IndexFinding finding = report.finding(IndexFinding.DUPLICATE_DOCUMENTS).orElseThrow();
    assertThat(finding.count()).isEqualTo(2);
    assertThat(finding.examples()).containsExactly("3", "30");
  }

  @Test
  void textsChangedInTheNewerPinnedSnapshotAreChangedText() {
    IndexBuild built = build("changed", at(s3));

    IndexCheckReport report = check("changed", s4, null).run();

    assertThat(report.kinds()).as(report.toText())
        .containsExactly(IndexFinding.STALE_BUILD, IndexFinding.CHANGED_TEXT);
    IndexFinding finding = report.finding(IndexFinding.CHANGED_TEXT).orElseThrow();
    assertThat(finding.count()).isEqualTo(2);
    assertThat(finding.examples()).containsExactly("5", "9");
    assertThat(finding.message()).contains("SHA-256").contains("@" + s4);
    assertThat(report.finding(IndexFinding.STALE_BUILD).orElseThrow().examples())
        .containsExactly(Long.toString(built.id()));

    // a build of s4 itself is clean against s4
    IndexBuild rebuilt = build("changed", at(s4));
    IndexCheckReport after = check("changed", s4, rebuilt).run();
    assertThat(after.findings()).as(after.toText()).isEmpty();
  }

  @Test
  void aServingNameSwitchedBackToABuildOfAnotherSnapshotIsAStaleBuild() {
    IndexBuild older = build("stale", at(s1));
    IndexBuild pinned = build("stale", at(s3)); // the same documents under another snapshot: only lineage differs
    assertThat(check("stale", s3, pinned).run().findings()).isEmpty();
    SwitchBack.of(db).index(IndexName.of(schema, "stale")).reason("test").actor("test").commit();

    IndexCheckReport report = check("stale", s3, pinned).run();

    assertThat(report.kinds()).as(report.toText()).containsExactly(IndexFinding.STALE_BUILD);
    IndexFinding finding = report.finding(IndexFinding.STALE_BUILD).orElseThrow();
    assertThat(finding.count()).isEqualTo(1);
    assertThat(finding.examples()).containsExactly(Long.toString(older.id()), Long.toString(pinned.id()));
    assertThat(finding.message()).contains("serves build " + older.id()).contains("built from snapshot " + s1)
        .contains("not the pinned snapshot " + s3).contains("not the pinned build " + pinned.id());
    assertThat(report.servingBuildId()).isEqualTo(older.id());
  }

  @Test
  void aServingViewPointedAtAnotherBuildByHandIsAStaleBuild() {
    IndexBuild older = build("drift", at(s1));
    IndexBuild pinned = build("drift", at(s3));
    VectorDb.execute("CREATE OR REPLACE VIEW " + view("drift") + " AS SELECT doc_id, embedding, embedding_version,"
        + " source_snapshot, content_hash, " + pinned.id() + "::bigint AS build_id FROM " + schema + "."
        + older.buildTable());

    IndexCheckReport report = check("drift", s3, pinned).run();

    assertThat(report.kinds()).as(report.toText()).containsExactly(IndexFinding.STALE_BUILD);
    assertThat(report.finding(IndexFinding.STALE_BUILD).orElseThrow().message())
        .contains("reads build " + older.id()).contains("registry records build " + pinned.id())
        .contains("changed outside rebuild-index");
    assertThat(report.servingBuildId()).isEqualTo(older.id());
  }

  @Test
  void aBuildOfAnotherEmbeddingVersionThanPinnedIsStaleAndMixed() {
    IndexBuild built = build("otherversion", at(s1));

    IndexCheckReport report = IndexCheck.of(db, schema, "otherversion").embedding(b.name()).source(at(s1)).run();

    assertThat(report.kinds()).as(report.toText())
        .containsExactly(IndexFinding.STALE_BUILD, IndexFinding.MIXED_EMBEDDING_VERSIONS);
    assertThat(report.finding(IndexFinding.STALE_BUILD).orElseThrow().message())
        .contains("built with embedding version " + a.name()).contains("not the pinned " + b.name());
    assertThat(report.finding(IndexFinding.MIXED_EMBEDDING_VERSIONS).orElseThrow().count()).isEqualTo(DOCUMENTS);
    assertThat(report.finding(IndexFinding.STALE_BUILD).orElseThrow().examples())
        .containsExactly(Long.toString(built.id()));
  }

  @Test
  void anAnnIndexMarkedInvalidOrDroppedIsReported() {
    IndexBuild built = build("ann", at(s1));
    String ann = schema + "." + built.buildTable() + "_ann";
    VectorDb.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = '" + ann + "'::regclass");

    IndexCheckReport invalid = check("ann", s1, built).run();

    assertThat(invalid.kinds()).as(invalid.toText()).containsExactly(IndexFinding.ANN_INVALID);
    IndexFinding finding = invalid.finding(IndexFinding.ANN_INVALID).orElseThrow();
    assertThat(finding.count()).isEqualTo(1);
    assertThat(finding.examples()).containsExactly(ann);
    assertThat(finding.message()).contains("is not valid").contains("build " + built.id());

    VectorDb.execute("DROP INDEX " + ann);
    IndexCheckReport dropped = check("ann", s1, built).run();
    assertThat(dropped.kinds()).as(dropped.toText()).containsExactly(IndexFinding.ANN_INVALID);
    assertThat(dropped.finding(IndexFinding.ANN_INVALID).orElseThrow().message()).contains("has no ANN index");
    assertThat(dropped.finding(IndexFinding.ANN_INVALID).orElseThrow().examples())
        .containsExactly(schema + "." + built.buildTable());
  }

  @Test
  void anAnnIndexForAnotherDistanceIsNotUsable() {
    IndexBuild built = build("l2", at(s1));
    String ann = schema + "." + built.buildTable() + "_ann";
    VectorDb.execute("DROP INDEX " + ann, "CREATE INDEX " + built.buildTable() + "_ann ON " + schema + "."
        + built.buildTable() + " USING hnsw (embedding vector_l2_ops)");

    IndexCheckReport report = check("l2", s1, built).run();

    assertThat(report.kinds()).as(report.toText()).containsExactly(IndexFinding.ANN_INVALID);
    assertThat(report.finding(IndexFinding.ANN_INVALID).orElseThrow().message())
        .contains("vector_l2_ops").contains("not vector_cosine_ops");
  }

  @Test
  void vectorsOfAnotherDimensionThanThePinnedVersionAreADimensionMismatch() {
    EmbeddingVersion wide = new EmbeddingVersion("remote-wide-1536", EmbeddingVersion.PROVIDER_OPENAI,
        "text-embedding-3-small", null, "2024-01-25", 1536, Normalization.L2, Distance.COSINE);
    try (Connection c = db.getConnection()) {
      EmbeddingRegistry.ensure(c, wide);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    build("dims", at(s1));

    IndexCheckReport report = IndexCheck.of(db, schema, "dims").embedding(wide.name()).source(at(s1)).run();

    assertThat(report.kinds()).as(report.toText()).contains(IndexFinding.DIMENSION_MISMATCH);
    IndexFinding finding = report.finding(IndexFinding.DIMENSION_MISMATCH).orElseThrow();
    assertThat(finding.count()).isEqualTo(DOCUMENTS);
    assertThat(finding.examples()).containsExactly("1", "2", "3", "4", "5");
    assertThat(finding.message()).contains("1536 dimensions").contains("384 dims (40 rows)");
    // the build was made with another version, so it is also stale and every row is of another version
    assertThat(report.kinds()).containsExactly(IndexFinding.STALE_BUILD, IndexFinding.MIXED_EMBEDDING_VERSIONS,
        IndexFinding.DIMENSION_MISMATCH);
  }

  @Test
  void aNameThatServesNoBuildIsNotServing() {
    IndexCheckReport none = check("no_such_index", s1, null).run();
    assertThat(none.kinds()).containsExactly(IndexFinding.NOT_SERVING);
    assertThat(none.finding(IndexFinding.NOT_SERVING).orElseThrow().message()).contains("does not exist");
    assertThat(none.sourceDocuments()).as("nothing else is read").isZero();

    VectorDb.execute("CREATE TABLE " + view("plain") + " (doc_id bigint, embedding vector(384),"
        + " embedding_version text)");
    IndexCheckReport plain = check("plain", s1, null).run();
    assertThat(plain.kinds()).containsExactly(IndexFinding.NOT_SERVING);
    assertThat(plain.finding(IndexFinding.NOT_SERVING).orElseThrow().message()).contains("made outside rollback-jobs");

    build("unset", at(s1));
    VectorDb.execute("UPDATE rollback.vector_indexes SET serving_build_id = NULL WHERE index_schema = '" + schema
        + "' AND index_name = 'unset'");
    IndexCheckReport unset = check("unset", s1, null).run();
    assertThat(unset.kinds()).containsExactly(IndexFinding.NOT_SERVING);
    assertThat(unset.finding(IndexFinding.NOT_SERVING).orElseThrow().message()).contains("no serving build");
  }

  @Test
  void anIndexOfAPostgresQuerySourceIsCheckedAgainstTheQuery() throws Exception {
    VectorDb.execute("CREATE TABLE " + schema + ".kb_rows (id bigint PRIMARY KEY, body text NOT NULL)");
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".kb_rows VALUES (?, ?)")) {
      for (long id = 1; id <= 20; id++) {
        s.setLong(1, id);
        s.setString(2, Documents.text(id, 77));
        s.addBatch();
      }
      s.executeBatch();
    }
    PostgresQueryDocumentSource query = PostgresQueryDocumentSource.of(db,
        "SELECT id, body FROM " + schema + ".kb_rows", "id", "body");
    IndexBuild built = build("fromquery", query);

    IndexCheckReport clean = IndexCheck.of(db, schema, "fromquery").embedding(a.name()).source(query, null)
        .pinnedBuild(built.id()).run();
    assertThat(clean.findings()).as(clean.toText()).isEmpty();
    assertThat(clean.sourceDocuments()).isEqualTo(20);

    VectorDb.execute("UPDATE " + schema + ".kb_rows SET body = 'edited after the build' WHERE id = 4");
    IndexCheckReport changed = IndexCheck.of(db, schema, "fromquery").embedding(a.name()).source(query).run();
    assertThat(changed.kinds()).as(changed.toText()).containsExactly(IndexFinding.CHANGED_TEXT);
    assertThat(changed.finding(IndexFinding.CHANGED_TEXT).orElseThrow().examples()).containsExactly("4");
  }

  @Test
  void servingPinsRecordTheServingBuildAndItsLineage() {
    IndexBuild built = build("pins", at(s1));

    ServingPins pins = ServingPins.current(db, IndexName.of(schema, "pins"));

    assertThat(pins.buildId()).isEqualTo(built.id());
    assertThat(pins.buildTable()).isEqualTo(schema + "." + built.buildTable());
    assertThat(pins.buildKind()).isEqualTo(IndexBuild.KIND_BUILD);
    assertThat(pins.embeddingVersion()).isEqualTo(a.name());
    assertThat(pins.mixedVersions()).isFalse();
    assertThat(pins.source()).isEqualTo(table.name());
    assertThat(pins.sourceSnapshot()).isEqualTo(s1);
    assertThat(pins.dimension()).isEqualTo(384);
    assertThat(pins.rows()).isEqualTo(DOCUMENTS);
    assertThat(pins.toMap()).containsEntry("build-id", built.id()).containsEntry("mixed-versions", false);

    reembed(view("pins"), List.of(1L, 2L), modelB);
    ServingPins mixed = ServingPins.current(db, IndexName.of(schema, "pins"));
    assertThat(mixed.mixedVersions()).isTrue();
    assertThat(mixed.versions()).containsEntry(a.name(), (long) DOCUMENTS - 2).containsEntry(b.name(), 2L);

    assertThatThrownBy(() -> ServingPins.current(db, IndexName.of(schema, "no_such_index")))
        .isInstanceOf(BadInputException.class).hasMessageContaining("does not exist");
  }

  @Test
  void anUnknownPinnedVersionIsBadInput() {
    build("unknown", at(s1));
    assertThatThrownBy(() -> IndexCheck.of(db, schema, "unknown").embedding("no-such-model").source(at(s1)).run())
        .isInstanceOf(BadInputException.class).hasMessageContaining("no-such-model")
        .hasMessageContaining(a.name());
    assertThatThrownBy(() -> IndexCheck.of(db, schema, "unknown").source(at(s1), s2))
        .isInstanceOf(BadInputException.class).hasMessageContaining("pinned snapshot " + s2);
  }

  /** Re-embeds the given documents in place with another model, through the serving view, as psql would. */
  static void reembed(String relation, List<Long> ids, Embedder model) {
    List<String> texts = ids.stream().map(id -> Documents.text(id, SEED)).toList();
    List<float[]> vectors = model.embed(texts);
    try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE " + relation
        + " SET embedding = ?::vector, embedding_version = ? WHERE doc_id = ?")) {
      for (int i = 0; i < ids.size(); i++) {
        s.setString(1, VectorDb.literal(vectors.get(i)));
        s.setString(2, model.version().name());
        s.setLong(3, ids.get(i));
        s.addBatch();
      }
      s.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new snapshot whose data files are the current ones rewritten with {@code changes} applied to the texts. */
  static void changeTexts(Table t, Map<Long, String> changes) {
    List<DataFile> files = new ArrayList<>();
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles();
        CloseableIterable<Record> rows = org.apache.iceberg.data.IcebergGenerics.read(t).build()) {
      tasks.forEach(task -> files.add(task.file()));
      for (Record r : rows) {
        GenericRecord copy = GenericRecord.create(Documents.SCHEMA);
        long id = (Long) r.getField("id");
        copy.setField("id", id);
        copy.setField("text", changes.getOrDefault(id, (String) r.getField("text")));
        copy.setField("lang", r.getField("lang"));
        records.add(copy);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    OverwriteFiles overwrite = t.newOverwrite();
    files.forEach(overwrite::deleteFile);
    overwrite.addFile(GenericDataFiles.write(t, records));
    overwrite.commit();
    t.refresh();
  }
}
