package org.rollbackjobs.jobs.manifest;

import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.snapshot.SnapshotTags;
import org.rollbackjobs.jobs.manifest.ManifestContent.TagPin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Retires a manifest: removes its tags (snapshot expiry may then remove the snapshots) and records who retired
 * it and why. The content stays. Idempotent: tags already gone are skipped.
 */
@Component
class ManifestRetirement {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestRetirement.class);

  private final ObjectProvider<Catalog> catalog;
  private final ManifestStore store;

  ManifestRetirement(ObjectProvider<Catalog> catalog, ManifestStore store) {
    this.catalog = catalog;
    this.store = store;
  }

  int retire(long id, String actor, String reason) {
    Manifest manifest = store.get(null, id);
    int removed = 0;
    for (TagPin tag : manifest.content().tags()) {
      Catalog c = catalog.getObject();
      if (c.tableExists(TableName.parse(tag.table()))
          && SnapshotTags.remove(CatalogLoader.loadTable(c, tag.table()), tag.tag())) {
        removed++;
      }
    }
    store.retire(id, actor, reason);
    LOG.info("Retired manifest {}: {} tags removed", id, removed);
    return removed;
  }
}
