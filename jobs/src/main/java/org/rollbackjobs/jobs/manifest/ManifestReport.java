package org.rollbackjobs.jobs.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.verify.Finding;

/** Manifests and findings as JSON objects (kebab-case) and as text for people. */
public final class ManifestReport {
  private ManifestReport() {}

  public static Map<String, Object> json(Manifest m) {
    Map<String, Object> json = summaryJson(m);
    json.put("content", m.content());
    json.put("findings", m.findings());
    return json;
  }

  public static Map<String, Object> summaryJson(Manifest m) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("manifest-id", m.id());
    json.put("system", m.system());
    json.put("created-at", m.createdAt().toString());
    json.put("actor", m.actor());
    json.put("reason", m.reason());
    json.put("inconsistent", m.inconsistent());
    json.put("retired-at", m.retiredAt() == null ? null : m.retiredAt().toString());
    json.put("job-execution-id", m.jobExecutionId());
    json.put("system-file-sha256", m.systemFileSha256());
    return json;
  }

  public static String summaryLine(Manifest m) {
    return String.format("%-6d %-20s %-24s %-10s %s%s%s", m.id(), m.system(), m.createdAt(), m.actor(), m.reason(),
        m.inconsistent() ? "  [captured inconsistent]" : "", m.retired() ? "  [retired " + m.retiredAt() + "]" : "");
  }

  public static String text(Manifest m) {
    StringBuilder text = new StringBuilder();
    text.append("Manifest ").append(m.id()).append(" of ").append(m.system()).append(", captured ")
        .append(m.createdAt()).append(" by ").append(m.actor()).append(": ").append(m.reason()).append('\n');
    if (m.retired()) {
      text.append("Retired ").append(m.retiredAt()).append(": ").append(m.retiredReason()).append('\n');
    }
    text.append(content(m.content()));
    if (m.inconsistent()) {
      text.append("Captured despite ").append(m.findings().size()).append(" findings (--allow-inconsistent):\n");
      m.findings().forEach(f -> text.append("  ").append(f.get("kind")).append(": ").append(f.get("message"))
          .append('\n'));
    }
    return text.toString();
  }

  public static String content(ManifestContent c) {
    StringBuilder text = new StringBuilder();
    c.datasets().forEach(d -> text.append(String.format("  dataset  %-32s snapshot %d%n", d.table(), d.snapshotId())));
    c.features().forEach(f -> text.append(String.format("  feature  %-32s %s version %s from %s@%d (table snapshot %s)%n",
        f.name(), f.pipeline(), f.pipelineVersion(), f.source(), f.sourceSnapshotId(), f.targetSnapshotId())));
    c.indexes().forEach(i -> text.append(String.format("  index    %-32s %s from %s@%d (build %s)%n", i.servingName(),
        i.embeddingVersion(), i.source(), i.sourceSnapshotId(), i.buildId())));
    c.models().forEach(m -> text.append(String.format("  model    %-32s version %s, trains on %s%s%n", m.name(),
        m.version(), m.trainsOn().stream().map(t -> t.table() + "@" + t.snapshotId()).toList(),
        m.registry() == null ? "" : ", " + alias(m.registry()))));
    c.prompts().forEach(p -> text.append(String.format("  prompt   %-32s %s%n", p.name(), alias(p.registry()))));
    if (!c.tags().isEmpty()) {
      text.append("  tags     ").append(c.tags().get(0).tag()).append(" on ")
          .append(c.tags().stream().map(t -> t.table() + "@" + t.snapshotId()).toList()).append('\n');
    }
    return text.toString();
  }

  private static String alias(ManifestContent.AliasPin pin) {
    return pin.registry() + " " + pin.name() + "@" + pin.alias() + " = version " + pin.version();
  }

  public static String findingsText(List<Finding> findings) {
    StringBuilder text = new StringBuilder();
    for (Finding f : findings) {
      text.append(String.format("  %-8s %-24s %-34s %s%n", f.component(), f.name(), f.kind(), f.message()));
      if (!f.examples().isEmpty()) {
        text.append("           examples: ").append(String.join(", ", f.examples())).append('\n');
      }
    }
    return text.toString();
  }
}
