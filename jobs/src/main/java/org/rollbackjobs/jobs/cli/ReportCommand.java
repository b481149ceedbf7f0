package org.rollbackjobs.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.report.ReportPage;
import org.rollbackjobs.jobs.report.ReportService;
import org.rollbackjobs.jobs.report.SystemFigures;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Summarises the recorded drills and rollbacks, per system and overall. Read-only.",
        "Figures: drills run and passed, pass rate, the last drill and whether it is stale (older than"
            + " rollback.drill.max-age, default 31d), the drills' time-to-rollback p50 / p95 / max, the slowest"
            + " phase, and for real rollbacks their count, success rate and MTTR (mean time-to-rollback of the"
            + " completed ones).",
        "--html FILE writes one self-contained page (no script, no network) with the figures and a timeline of"
            + " each drill's phases."})
class ReportCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--system", paramLabel = "NAME", description = "Only this system (default: every system).")
  String system;

  @Option(names = "--since", paramLabel = "DURATION", defaultValue = "90d",
      description = "The window: runs started within this duration before now (default 90d; 12h, 7d, PT36H).")
  String since;

  @Option(names = "--html", paramLabel = "FILE", description = "Also write the report as an HTML page to FILE.")
  Path html;

  @Autowired ReportService service;

  @Override
  public void validate() {
    if (system != null && !SystemDefinition.NAME.matcher(system).matches()) {
      throw new ParameterException(spec.commandLine(), "--system '" + system + "' is not a system name"
          + " (lower-case letters, digits, '_', '-', '.')");
    }
    RebuildIndexCommand.parseDuration("--since", since);
  }

  @Override
  public Integer call() {
    ReportService.Report report = service.report(system, RebuildIndexCommand.parseDuration("--since", since));
    if (html != null) {
      try {
        Files.writeString(html, ReportPage.html(report, Instant.now()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + html + ": " + e.getMessage(), e);
      }
    }
    Map<String, Object> json = Output.result("report", "completed", ExitCodes.OK);
    json.putAll(ReportService.json(report));
    if (html != null) {
      json.put("html", html.toAbsolutePath().toString());
    }
    Output.print(spec, output, json, text(report));
    return ExitCodes.OK;
  }

  private String text(ReportService.Report report) {
    StringBuilder out = new StringBuilder("Drills and rollbacks since " + report.since() + "\n");
    String format = "  %-24s %6s %6s %6s %-22s %-5s %9s %9s %9s %9s %8s %9s  %s%n";
    out.append(String.format(format, "SYSTEM", "DRILLS", "PASSED", "RATE", "LAST DRILL", "STALE", "TTR P50",
        "TTR P95", "TTR MAX", "ROLLBACKS", "SUCCESS", "MTTR", "SLOWEST PHASE"));
    report.systems().forEach(s -> out.append(row(format, s.system(), s)));
    out.append(row(format, "overall", report.overall()));
    if (html != null) {
      out.append("HTML page: ").append(html.toAbsolutePath()).append('\n');
    }
    return out.toString();
  }

  private static String row(String format, String name, SystemFigures f) {
    return String.format(format, name, f.drills(), f.passed(), rate(f.passRate()),
        f.lastDrillAt() == null ? "never" : f.lastDrillAt().toString().replaceFirst("\\.\\d+Z$", "Z"),
        f.stale() ? "yes" : "no", seconds(f.timeToRollbackP50Ms()), seconds(f.timeToRollbackP95Ms()),
        seconds(f.timeToRollbackMaxMs()), f.rollbacks(), rate(f.rollbackSuccessRate()), seconds(f.mttrMs()),
        f.slowestPhase() == null ? "-" : f.slowestPhase());
  }

  private static String rate(Double rate) {
    return rate == null ? "-" : String.format("%.0f%%", rate * 100);
  }

  private static String seconds(Long ms) {
    return ms == null ? "-" : String.format("%.1f s", ms / 1000.0);
  }
}
