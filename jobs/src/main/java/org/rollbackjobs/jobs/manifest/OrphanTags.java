package org.rollbackjobs.jobs.manifest;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Table;

/**
 * Tags {@code manifest-S-ID} with no manifest {@code ID} of system {@code S}: what a capture that died between
 * tagging the pinned snapshots and storing the manifest leaves (its own cleanup never ran). They keep snapshots
 * from expiring; the next capture of the system removes them ({@link ManifestCapture}), {@code status --leftovers}
 * lists them.
 */
public final class OrphanTags {
  private static final Pattern TAG = Pattern.compile("manifest-(.+)-([0-9]{1,18})");

  private OrphanTags() {}

  /** A tag with no manifest: the table, the tag, and the system and manifest id its name claims. */
  public record Orphan(String table, String tag, String system, long manifestId) {}

  /** The orphan tags of one table; of system {@code system} only, unless null. */
  public static List<Orphan> of(String tableName, Table table, String system, ManifestStore store) {
    return table.refs().entrySet().stream().filter(e -> e.getValue().isTag())
        .map(Map.Entry::getKey)
        .map(TAG::matcher)
        .filter(Matcher::matches)
        .filter(m -> system == null || system.equals(m.group(1)))
        .map(m -> new Orphan(tableName, m.group(), m.group(1), Long.parseLong(m.group(2))))
        .filter(o -> store.find(o.manifestId()).filter(m -> m.system().equals(o.system())).isEmpty())
        .toList();
  }
}
