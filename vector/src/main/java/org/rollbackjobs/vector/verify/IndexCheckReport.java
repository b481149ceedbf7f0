package org.rollbackjobs.vector.verify;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.rollbackjobs.vector.index.IndexName;

/**
 * What {@link IndexCheck} found for one index. It is clean when {@link #findings()} is empty.
 *
 * @param embeddingVersion the pinned version name
 * @param source the pinned document source, e.g. {@code iceberg:kb.articles@123}
 * @param sourceSnapshot the pinned snapshot (null for a source without snapshots)
 * @param pinnedBuildId the build the manifest pins, when it pins one
 * @param servingBuildId the build the serving name reads now (null when it serves none)
 * @param buildTable that build's table, {@code schema.table}
 * @param sourceDocuments documents of the pinned source (0 when the check stopped before reading it)
 * @param rows rows behind the serving name
 * @param versions rows per {@code embedding_version} behind the serving name
 * @param readSource time to stream the source's ids and content hashes into the database
 * @param compare time of the comparisons in SQL
 * @param total the whole check
 */
public record IndexCheckReport(
    IndexName index,
    String embeddingVersion,
    String source,
    Long sourceSnapshot,
    Long pinnedBuildId,
    Long servingBuildId,
    String buildTable,
    long sourceDocuments,
    long rows,
    Map<String, Long> versions,
    List<IndexFinding> findings,
    Duration readSource,
    Duration compare,
    Duration total) {

  public IndexCheckReport {
    versions = versions == null ? Map.of() : new TreeMap<>(versions);
    findings = findings == null ? List.of() : List.copyOf(findings);
  }

  /** No finding: the index is exactly what the manifest pins. */
  public boolean clean() {
    return findings.isEmpty();
  }

  /** The finding of {@code kind}, if any (a report holds at most one of each kind). */
  public Optional<IndexFinding> finding(String kind) {
    return findings.stream().filter(f -> f.kind().equals(kind)).findFirst();
  }

  public List<String> kinds() {
    return findings.stream().map(IndexFinding::kind).toList();
  }

  /** Kebab-case keys, for the JSON report of {@code verify}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("index", index.toString());
    map.put("clean", clean());
    map.put("embedding-version", embeddingVersion);
    map.put("source", source);
    map.put("source-snapshot", sourceSnapshot);
    map.put("pinned-build-id", pinnedBuildId);
    map.put("serving-build-id", servingBuildId);
    map.put("build-table", buildTable);
    map.put("source-documents", sourceDocuments);
    map.put("rows", rows);
    map.put("versions", versions);
    map.put("findings", findings.stream().map(IndexFinding::toMap).toList());
    map.put("duration-ms", total.toMillis());
    return map;
  }

  /** One line per finding (or one line saying the index is clean), for the text report. */
  public String toText() {
    if (clean()) {
      return "index " + index + ": clean (build " + servingBuildId + ", " + rows + " rows, version "
          + embeddingVersion + ", source " + source + ")";
    }
    StringBuilder text = new StringBuilder();
    for (IndexFinding f : findings) {
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(f.kind()).append(": ").append(f.message());
      if (!f.examples().isEmpty()) {
        text.append(" [examples: ").append(String.join(", ", f.examples())).append(']');
      }
    }
    return text.toString();
  }
}
