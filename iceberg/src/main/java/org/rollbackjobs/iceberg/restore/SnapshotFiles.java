package org.rollbackjobs.iceberg.restore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The live data and delete files of one snapshot, keyed by location, read from its manifests (metadata only:
 * no data file is opened). Stats are dropped to keep memory small for tables with many files.
 */
record SnapshotFiles(Map<String, DataFile> dataFiles, Map<String, DeleteFile> deleteFiles) {

  static SnapshotFiles empty() {
    return new SnapshotFiles(Map.of(), Map.of());
  }

  static SnapshotFiles of(Table table, Snapshot snapshot) {
    if (snapshot == null) {
      return empty();
    }
    Map<String, DataFile> data = new LinkedHashMap<>();
    Map<String, DeleteFile> deletes = new LinkedHashMap<>();
    try {
      for (ManifestFile manifest : snapshot.dataManifests(table.io())) {
        try (ManifestReader<DataFile> reader = ManifestFiles.read(manifest, table.io(), table.specs())) {
          for (DataFile file : reader) {
            data.put(file.location(), file.copyWithoutStats());
          }
        }
      }
      for (ManifestFile manifest : snapshot.deleteManifests(table.io())) {
        try (ManifestReader<DeleteFile> reader =
            ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
          for (DeleteFile file : reader) {
            // the file-path bounds tell which data file a position delete file covers
            deletes.put(file.location(), file.copyWithStats(Set.of(MetadataColumns.DELETE_FILE_PATH.fieldId())));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifests of snapshot " + snapshot.snapshotId(), e);
    }
    return new SnapshotFiles(data, deletes);
  }

  boolean hasEqualityDeletes() {
    return deleteFiles.values().stream().anyMatch(f -> f.content() == FileContent.EQUALITY_DELETES);
  }

  long records() {
    return dataFiles.values().stream().mapToLong(DataFile::recordCount).sum();
  }
}
