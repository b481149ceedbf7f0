package org.rollbackjobs.vector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.testing.TestTables;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.VectorDb;

/** Documents streamed from a real Iceberg table (Parquet, JDBC catalog) at a pinned snapshot. */
class IcebergDocumentSourceTest {
  @TempDir static Path warehouse;
  static Catalog catalog;
  static Table table;
  static long first;
  static long second;

  @BeforeAll
  static void table() {
    catalog = VectorDb.catalog(warehouse);
    table = Documents.create(catalog, "src.docs", 120, 4, 7);
    first = table.currentSnapshot().snapshotId();
    Documents.append(table, 121, 30, 2, 7);
    second = table.currentSnapshot().snapshotId();
  }

  private static List<Document> all(DocumentCursor cursor) {
    List<Document> documents = new ArrayList<>();
    try (cursor) {
      cursor.forEachRemaining(documents::add);
    }
    return documents;
  }

  @Test
  void readsThePinnedSnapshotInAFixedOrderAndResumesAfterAnyPrefix() {
    IcebergDocumentSource pinned = IcebergDocumentSource.of(table, first, "id", "text");
    List<Document> documents = all(pinned.open(0));

    assertThat(pinned.count()).isEqualTo(120);
    assertThat(documents).hasSize(120);
    assertThat(documents).extracting(Document::id).doesNotHaveDuplicates().allMatch(id -> (Long) id <= 120);
    assertThat(documents.get(5).text()).isEqualTo(Documents.text((Long) documents.get(5).id(), 7));
    assertThat(pinned.idType()).isEqualTo(DocIdType.BIGINT);
    assertThat(pinned.describe()).isEqualTo("iceberg:" + table.name() + "@" + first);
    // the same order every time, and any resumed read is exactly the rest of it
    assertThat(all(pinned.open(0))).isEqualTo(documents);
    for (int skip : new int[] {1, 29, 30, 31, 119, 120}) {
      assertThat(all(pinned.open(skip))).as("skip " + skip).isEqualTo(documents.subList(skip, 120));
    }
    assertThat(all(pinned.openIds())).extracting(Document::id).isEqualTo(documents.stream().map(Document::id).toList());

    IcebergDocumentSource current = IcebergDocumentSource.of(table, null, "id", "text");
    assertThat(current.snapshotId()).isEqualTo(second);
    assertThat(current.count()).isEqualTo(150);
  }

  @Test
  void appliesDeleteFilesOfTheSnapshot() throws Exception {
    Table withDeletes = Documents.create(catalog, "src.with_deletes", 40, 2, 3);
    DataFile firstFile;
    try (CloseableIterable<FileScanTask> tasks = withDeletes.newScan().planFiles()) {
      firstFile = tasks.iterator().next().file();
    }
    withDeletes.newRowDelta().addDeletes(TestTables.writePositionDeletes(withDeletes, firstFile, 0, 3, 4)).commit();
    IcebergDocumentSource source = IcebergDocumentSource.of(withDeletes, null, "id", "text");

    List<Document> documents = all(source.open(0));

    assertThat(source.count()).isEqualTo(37);
    assertThat(documents).hasSize(37);
    assertThat(all(source.open(10))).isEqualTo(documents.subList(10, 37));
  }

  @Test
  void unknownSnapshotsAndColumnsAreBadInput() {
    assertThatThrownBy(() -> IcebergDocumentSource.of(table, 42L, "id", "text"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("snapshot 42 does not exist");
    assertThatThrownBy(() -> IcebergDocumentSource.of(table, null, "doc", "text"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("--id-column 'doc'")
        .hasMessageContaining("id (long)");
    assertThatThrownBy(() -> IcebergDocumentSource.of(table, null, "id", "body"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("--text-column 'body'");
    assertThatThrownBy(() -> IcebergDocumentSource.of(table, null, "text", "id"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("must be a string");
  }
}
