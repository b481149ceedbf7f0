package org.rollbackjobs.jobs.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestReport;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.Finding;
import org.rollbackjobs.jobs.verify.SystemVerifier;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Checks every component of a system against a manifest (default: the latest) and reports each"
            + " mixed-version finding with counts and example ids. Read-only.",
        "Datasets: the current content equals the pinned snapshot's (same files, or same rows). Feature tables:"
            + " lineage names the pinned source snapshot and pipeline version; keys match a fresh computation"
            + " (a hash sample above rollback.verify.feature-sample-keys). Vector indexes: the serving build holds"
            + " exactly the pinned snapshot's documents, with the pinned embedding version, dimension and text"
            + " hashes, and a valid ANN index. Models: the latest retrain request names the pinned snapshots and"
            + " was delivered.",
        "Exit 0: no finding; exit 3: mixed-version state found."})
class VerifyCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin SystemOptions system;

  @Option(names = "--manifest", paramLabel = "ID", description = "The manifest to verify against (default: the latest).")
  Long manifestId;

  @Autowired SystemCatalog systems;
  @Autowired ManifestStore manifests;
  @Autowired SystemVerifier verifier;

  @Override
  public void validate() {
    system.require();
  }

  @Override
  public Integer call() {
    SystemDefinition definition = system.load(systems);
    Manifest manifest = manifests.pinned(definition.name(), manifestId);
    long started = System.nanoTime();
    List<Finding> findings = verifier.verify(definition, manifest);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    int code = findings.isEmpty() ? ExitCodes.OK : ExitCodes.MIXED_VERSION;
    Map<String, Object> json = Output.result("verify", findings.isEmpty() ? "clean" : "mixed-version", code);
    json.put("system", definition.name());
    json.put("manifest-id", manifest.id());
    json.put("components", definition.datasets().size() + definition.features().size() + definition.indexes().size()
        + definition.models().size() + definition.prompts().size());
    json.put("findings", findings);
    json.put("duration-ms", took.toMillis());
    String head = "Verified " + definition.name() + " against manifest " + manifest.id() + " in "
        + took.toMillis() + " ms: ";
    Output.print(spec, output, json, findings.isEmpty() ? head + "no mixed-version state.\n"
        : head + findings.size() + " findings (mixed-version state)\n" + ManifestReport.findingsText(findings));
    return code;
  }
}
