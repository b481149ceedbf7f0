package org.rollbackjobs.jobs.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The report as one self-contained HTML page: no script, no external resource. The figures per system and overall
 * in a table, then per system a timeline of each drill (phases as bars, in inline SVG) and the rollbacks.
 */
public final class ReportPage {
  private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
      "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  private static final int BAR_WIDTH = 640;

  private ReportPage() {}

  public static String html(ReportService.Report report, Instant generatedAt) {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rollback drills report")
        .append("</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}")
        .append("td:first-child,th:first-child{text-align:left}.stale{color:#b00;font-weight:bold}")
        .append(".failed{color:#b00}.passed{color:#070}svg text{font-size:11px}</style></head><body>\n");
    out.append("<h1>Rollback drills report</h1>\n<p>Since ").append(esc(report.since().toString()))
        .append(" (generated ").append(esc(generatedAt.toString())).append("; a system is stale when its last drill")
        .append(" is older than ").append(esc(report.maxAge().toString())).append(").</p>\n");
    out.append("<table id=\"figures\"><tr><th>system</th><th>drills</th><th>passed</th><th>pass rate</th>")
        .append("<th>last drill</th><th>stale</th><th>time to rollback p50</th><th>p95</th><th>max</th>")
        .append("<th>rollbacks</th><th>rollback success</th><th>MTTR</th><th>slowest phase</th></tr>\n");
    report.systems().forEach(s -> row(out, s.system(), s));
    row(out, "overall", report.overall());
    out.append("</table>\n");
    for (SystemFigures system : report.systems()) {
      out.append("<h2>").append(esc(system.system())).append("</h2>\n");
      if (system.runs().isEmpty()) {
        out.append("<p>No drill or rollback in this window.</p>\n");
      }
      for (RunRecord run : system.runs()) {
        timeline(out, run);
      }
    }
    return out.append("</body></html>\n").toString();
  }

  private static void row(StringBuilder out, String name, SystemFigures f) {
    out.append("<tr><td>").append(esc(name)).append("</td><td>").append(f.drills()).append("</td><td>")
        .append(f.passed()).append("</td><td>").append(percent(f.passRate())).append("</td><td>")
        .append(f.lastDrillAt() == null ? "never" : esc(f.lastDrillAt().toString())).append("</td><td")
        .append(f.stale() ? " class=\"stale\">yes" : ">no").append("</td><td>").append(ms(f.timeToRollbackP50Ms()))
        .append("</td><td>").append(ms(f.timeToRollbackP95Ms())).append("</td><td>")
        .append(ms(f.timeToRollbackMaxMs())).append("</td><td>").append(f.rollbacks()).append("</td><td>")
        .append(percent(f.rollbackSuccessRate())).append("</td><td>").append(ms(f.mttrMs())).append("</td><td>")
        .append(f.slowestPhase() == null ? "-" : esc(f.slowestPhase())).append("</td></tr>\n");
  }

  /** One run: a heading line, and for a drill its phases as bars scaled to the drill's total duration. */
  private static void timeline(StringBuilder out, RunRecord run) {
    out.append("<h3 class=\"").append(run.succeeded() ? "passed" : "failed").append("\">").append(run.kind())
        .append(' ').append(esc(run.id())).append(": ").append(esc(run.outcome())).append(", manifest ")
        .append(run.manifestId()).append(", started ").append(esc(String.valueOf(run.startedAt())))
        .append(", time to rollback ").append(ms(run.timeToRollbackMs()));
    if (!"none".equals(run.inject())) {
      out.append(", fault ").append(esc(run.inject())).append(Boolean.TRUE.equals(run.detected()) ? " detected"
          : " not detected");
    }
    out.append("</h3>\n");
    List<Map<String, Object>> phases = run.phases();
    if (phases.isEmpty()) {
      return;
    }
    Function<Map<String, Object>, Long> duration = p -> ((Number) p.get("duration-ms")).longValue();
    long total = Math.max(1, phases.stream().mapToLong(duration::apply).sum());
    int height = 18;
    out.append("<svg width=\"").append(BAR_WIDTH + 260).append("\" height=\"").append(phases.size() * height + 4)
        .append("\" role=\"img\" aria-label=\"phases of ").append(esc(run.id())).append("\">\n");
    long start = 0;
    for (int i = 0; i < phases.size(); i++) {
      long d = duration.apply(phases.get(i));
      double x = 200 + (double) start / total * BAR_WIDTH;
      double w = Math.max(1, (double) d / total * BAR_WIDTH);
      int y = i * height + 2;
      out.append("<text x=\"0\" y=\"").append(y + 12).append("\">").append(esc(String.valueOf(phases.get(i)
          .get("name")))).append("</text><rect x=\"").append(String.format("%.1f", x)).append("\" y=\"").append(y)
          .append("\" width=\"").append(String.format("%.1f", w)).append("\" height=\"").append(height - 4)
          .append("\" fill=\"").append(COLOURS[i % COLOURS.length]).append("\"><title>")
          .append(d).append(" ms</title></rect><text x=\"").append(String.format("%.1f", x + w + 4))
          .append("\" y=\"").append(y + 12).append("\">").append(d).append(" ms</text>\n");
      start += d;
    }
    out.append("</svg>\n");
  }

  private static String percent(Double rate) {
    return rate == null ? "-" : String.format("%.0f %%", rate * 100);
  }

  private static String ms(Long ms) {
    return ms == null ? "-" : String.format("%.1f s", ms / 1000.0);
  }

  private static String esc(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
