package org.rollbackjobs.jobs.manifest;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.snapshot.SnapshotTags;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TagPin;
import org.rollbackjobs.jobs.registry.RegistryCheck;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.Finding;
import org.rollbackjobs.jobs.verify.MixedVersionStateException;
import org.rollbackjobs.jobs.verify.SystemVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Captures manifests: pins the current state ({@link CandidatePins}), checks it, tags the pinned snapshots and
 * stores the manifest. Tags are created before the row (named after the reserved id); a capture that fails in
 * between removes the tags it made.
 */
@Component
public class ManifestCapture {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestCapture.class);

  private final ObjectProvider<Catalog> catalog;
  private final SystemCatalog systems;
  private final SystemVerifier verifier;
  private final IndexPins indexPins;
  private final ManifestStore store;
  private final RegistryCheck registry;

  public ManifestCapture(ObjectProvider<Catalog> catalog, SystemCatalog systems, SystemVerifier verifier,
      IndexPins indexPins, ManifestStore store, RegistryCheck registry) {
    this.catalog = catalog;
    this.registry = registry;
    this.systems = systems;
    this.verifier = verifier;
    this.indexPins = indexPins;
    this.store = store;
  }

  /** What a capture now would pin, and the system's findings against it; changes nothing. */
  public Preview preview(SystemDefinition system) {
    CandidatePins candidate = new CandidatePins(catalog.getObject());
    List<IndexPin> indexes = indexPins.current(system, candidate::snapshotOf);
    ManifestContent content = candidate.of(system, indexes, Manifest.tagName(system.name(), 0), registry);
    return new Preview(content, verifier.components(system, content));
  }

  public record Preview(ManifestContent content, List<Finding> findings) {}

  long capture(CaptureRequest request, long jobExecutionId) {
    SystemDefinition system = systems.load(request.system(), request.systemFile());
    Preview preview = preview(system);
    if (!preview.findings().isEmpty() && !request.allowInconsistent()) {
      throw new MixedVersionStateException("system " + system.name() + " is in mixed-version state ("
          + preview.findings().size() + " findings); fix it or capture with --allow-inconsistent", preview.findings());
    }
    long id = store.reserveId();
    String tag = Manifest.tagName(system.name(), id);
    ManifestContent content = withTag(preview.content(), tag);
    removeOrphanTags(system.name(), content.tags());
    List<TagPin> created = new ArrayList<>();
    try {
      for (TagPin pin : content.tags()) {
        SnapshotTags.create(CatalogLoader.loadTable(catalog.getObject(), pin.table()), tag, pin.snapshotId());
        created.add(pin);
      }
      store.insertWithId(id, system.name(), request.actor(), request.reason(), system.sha256(),
          !preview.findings().isEmpty(), findingsJson(preview.findings()), jobExecutionId, content);
    } catch (RuntimeException e) {
      for (TagPin pin : created) {
        try {
          SnapshotTags.remove(CatalogLoader.loadTable(catalog.getObject(), pin.table()), tag);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
    LOG.info("Captured manifest {} of {}: {} tags", id, system.name(), created.size());
    return id;
  }

  /**
   * Removes the tags a capture of this system that died before storing its manifest left on the tables this one
   * tags. Safe because the capture holds the system's capture lock: no other capture of it is between tagging and
   * storing.
   */
  private void removeOrphanTags(String system, List<TagPin> tables) {
    for (String name : tables.stream().map(TagPin::table).distinct().toList()) {
      Table table = CatalogLoader.loadTable(catalog.getObject(), name);
      for (OrphanTags.Orphan orphan : OrphanTags.of(name, table, system, store)) {
        SnapshotTags.remove(table, orphan.tag());
        LOG.warn("Removed tag {} of {}: a capture of {} died before storing manifest {}", orphan.tag(), name, system,
            orphan.manifestId());
      }
    }
  }

  /** What the audit log records of a captured manifest. */
  Map<String, Object> auditDetails(long id) {
    Manifest manifest = store.get(null, id);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("manifest-id", id);
    details.put("inconsistent", manifest.inconsistent());
    details.put("tags", manifest.content().tags().size());
    return details;
  }

  private static ManifestContent withTag(ManifestContent content, String tag) {
    List<TagPin> tags = content.tags().stream().map(t -> new TagPin(t.table(), t.snapshotId(), tag)).toList();
    return content.withTags(tags);
  }

  /** Findings as stored with a manifest: the record's fields, kebab-case. */
  public static List<Map<String, Object>> findingsJson(List<Finding> findings) {
    return StoredJson.convert(findings, new TypeReference<List<Map<String, Object>>>() {});
  }
}
