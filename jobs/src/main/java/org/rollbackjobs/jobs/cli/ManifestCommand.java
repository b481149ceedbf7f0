package org.rollbackjobs.jobs.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.manifest.CaptureRequest;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestCapture;
import org.rollbackjobs.jobs.manifest.ManifestReport;
import org.rollbackjobs.jobs.manifest.ManifestService;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.MixedVersionStateException;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "manifest", mixinStandardHelpOptions = true,
    description = "Manages version manifests: the pinned version of every component of a system.",
    subcommands = {ManifestCommand.Capture.class, ManifestCommand.ListManifests.class, ManifestCommand.Show.class,
        ManifestCommand.Retire.class})
class ManifestCommand {

  @Command(name = "capture", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
          "Records the current version of every component of a system as a new, immutable manifest: each"
              + " dataset's snapshot, each feature table's pipeline version and the source snapshot it must be"
              + " computed from, each index's serving build and embedding version, each model's version and the"
              + " snapshots it trains on.",
          "Tags every pinned snapshot 'manifest-SYSTEM-ID', so that snapshot expiry keeps what a rollback to the"
              + " manifest needs. A system already in mixed-version state is refused (exit 3, with the findings)"
              + " unless --allow-inconsistent is given (recorded with the manifest)."})
  static class Capture implements Callable<Integer>, Validated {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;
    @Mixin SystemOptions system;
    @Mixin ChangeOptions change;

    @Option(names = "--allow-inconsistent", description = "Capture even with mixed-version findings (recorded).")
    boolean allowInconsistent;

    @Autowired SystemCatalog systems;
    @Autowired ManifestService service;

    @Override
    public void validate() {
      system.require();
    }

    @Override
    public Integer call() {
      SystemDefinition definition = system.load(systems);
      if (change.dryRun()) {
        ManifestCapture.Preview preview = service.preview(definition);
        Map<String, Object> json = Output.result("manifest capture", "dry-run", ExitCodes.OK);
        json.put("system", definition.name());
        json.put("content", preview.content());
        json.put("findings", preview.findings());
        Output.print(spec, output, json, "Would pin (dry run, nothing changed):\n"
            + ManifestReport.content(preview.content())
            + (preview.findings().isEmpty() ? "No mixed-version findings.\n"
                : preview.findings().size() + " findings (capture would be refused without --allow-inconsistent):\n"
                    + ManifestReport.findingsText(preview.findings())));
        return ExitCodes.OK;
      }
      try {
        Manifest manifest = service.capture(definition, CaptureRequest.of(definition.name(), definition.file(),
            change.reason(), change.actor(), allowInconsistent));
        Map<String, Object> json = Output.result("manifest capture", "completed", ExitCodes.OK);
        json.putAll(ManifestReport.json(manifest));
        Output.print(spec, output, json, ManifestReport.text(manifest));
        return ExitCodes.OK;
      } catch (MixedVersionStateException e) {
        Map<String, Object> json = Output.result("manifest capture", "refused", ExitCodes.MIXED_VERSION);
        json.put("system", definition.name());
        json.put("error", e.getMessage());
        json.put("findings", e.findings());
        spec.commandLine().getErr().println("error: " + e.getMessage());
        Output.print(spec, output, json, ManifestReport.findingsText(e.findings()));
        return ExitCodes.MIXED_VERSION;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists manifests, latest first. Read-only.")
  static class ListManifests implements Callable<Integer>, Validated {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;

    @Option(names = "--system", paramLabel = "NAME", description = "Only this system's manifests.")
    String system;

    @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "At most N (default 50).")
    int limit;

    @Autowired ManifestStore store;

    @Override
    public void validate() {
      if (system != null && !SystemDefinition.NAME.matcher(system).matches()) {
        throw new ParameterException(spec.commandLine(), "--system '" + system + "' is not a system name"
            + " (lower-case letters, digits, '_', '-', '.')");
      }
      if (limit < 1) {
        throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
      }
    }

    @Override
    public Integer call() {
      List<Manifest> manifests = store.list(system, limit);
      Map<String, Object> json = Output.result("manifest list", "completed", ExitCodes.OK);
      json.put("manifests", manifests.stream().map(ManifestReport::summaryJson).toList());
      StringBuilder text = new StringBuilder(manifests.isEmpty() ? "No manifests yet.\n" : "");
      manifests.forEach(m -> text.append(ManifestReport.summaryLine(m)).append('\n'));
      Output.print(spec, output, json, text.toString());
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints one manifest. Read-only.")
  static class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;

    @Parameters(paramLabel = "ID", description = "The manifest id.")
    long id;

    @Autowired ManifestStore store;

    @Override
    public Integer call() {
      Manifest manifest = store.get(null, id);
      Map<String, Object> json = Output.result("manifest show", "completed", ExitCodes.OK);
      json.putAll(ManifestReport.json(manifest));
      Output.print(spec, output, json, ManifestReport.text(manifest));
      return ExitCodes.OK;
    }
  }

  @Command(name = "retire", mixinStandardHelpOptions = true,
      description = "Retires a manifest: removes its Iceberg tags (snapshot expiry may then remove the pinned"
          + " snapshots) and records who and why. The manifest itself stays, immutable.")
  static class Retire implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin OutputOptions output;

    @Parameters(paramLabel = "ID", description = "The manifest id.")
    long id;

    @Mixin ChangeOptions change;

    @Autowired ManifestService service;
    @Autowired ManifestStore store;

    @Override
    public Integer call() {
      Manifest manifest = store.get(null, id);
      String tags = manifest.content().tags().stream().map(t -> t.table() + "@" + t.snapshotId()).toList().toString();
      if (change.dryRun()) {
        Map<String, Object> json = Output.result("manifest retire", "dry-run", ExitCodes.OK);
        json.putAll(ManifestReport.summaryJson(manifest));
        json.put("tags", manifest.content().tags());
        Output.print(spec, output, json, manifest.retired() ? "Manifest " + id + " is retired already.\n"
            : "Would remove tag " + Manifest.tagName(manifest.system(), id) + " from " + tags + " (dry run).\n");
        return ExitCodes.OK;
      }
      boolean already = manifest.retired();
      Manifest retired = service.retire(id, change.actor(), change.reason());
      Map<String, Object> json = Output.result("manifest retire", already ? "noop" : "completed", ExitCodes.OK);
      json.putAll(ManifestReport.summaryJson(retired));
      json.put("tags-removed", already ? List.of() : retired.content().tags());
      Output.print(spec, output, json, already ? "Manifest " + id + " was retired already; nothing changed.\n"
          : "Retired manifest " + id + ": removed tag " + Manifest.tagName(retired.system(), id) + " from " + tags + ".\n");
      return ExitCodes.OK;
    }
  }
}
