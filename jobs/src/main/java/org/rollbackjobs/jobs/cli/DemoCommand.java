package org.rollbackjobs.jobs.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.jobs.demo.DemoTable;
import org.rollbackjobs.jobs.demo.ExampleSystemData;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.restore.RestoreReport;
import org.rollbackjobs.jobs.restore.RestoreRequest;
import org.rollbackjobs.jobs.restore.RestoreService;
import org.rollbackjobs.jobs.restore.RestoreService.RestoreOutcome;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Creates an Iceberg table with three versions (the third a bad load), restores it with the restore job to"
            + " the version tagged known-good, and shows the rows before and after.",
        "With --system-rollback: the product's main job, a whole system rolled back to its known-good manifest.",
        "The demo table is dropped and created again on every run."})
class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--table", defaultValue = "demo.orders", paramLabel = "NS.TABLE",
      description = "The demo table (default demo.orders).")
  String table;

  @Option(names = "--mode", defaultValue = "commit", paramLabel = "MODE", description = "Restore mode: commit (default) or pointer.")
  RestoreMode mode;

  @Option(names = "--example-system", description = "Instead: (re)create the tables of the example system"
      + " support-search (shop.transactions, kb.documents) for the README walkthrough.")
  boolean exampleSystem;

  @Option(names = "--bad-load", description = "With --example-system: append a bad load to both tables instead.")
  boolean badLoad;

  @Option(names = "--system-rollback", description = "Instead: the whole story of a system rollback, with the commands"
      + " a user types: the example system captured as manifest A, an incident, verify failing, the rollback plan"
      + " refused without approvals, two approvals, the rollback, verify clean; each step's time and the"
      + " time-to-rollback.")
  boolean systemRollback;

  @Autowired IFactory factory;

  @Autowired ObjectProvider<Catalog> catalog;
  @Autowired RestoreService restoreService;

  @Override
  public Integer call() throws java.io.IOException {
    if (systemRollback) {
      Map<String, Object> summary = new SystemRollbackDemo(factory, catalog.getObject(), spec.commandLine().getOut(),
          spec.commandLine().getErr(), output.json()).run();
      Map<String, Object> json = Output.result("demo", "completed", ExitCodes.OK);
      json.putAll(summary);
      Output.print(spec, output, json, "The system is back at manifest " + summary.get("manifest-good")
          + " and verify is clean. Next: 'history', 'status', or the README walkthrough.");
      return ExitCodes.OK;
    }
    if (exampleSystem) {
      return exampleSystem();
    }
    spec.commandLine().getErr().println("demo: creating " + table + " with three versions");
    DemoTable.Versions versions = DemoTable.create(catalog.getObject(), table);
    List<String> before = rows(versions.table(), null);

    RestoreOutcome outcome = restoreService.restore(new RestoreRequest(table,
        SnapshotTarget.tag(DemoTable.KNOWN_GOOD_TAG), mode, "demo: undo the bad Wednesday load", Actors.actor(null)));
    Table restored = catalog.getObject().loadTable(versions.table().name().contains(".")
        ? org.rollbackjobs.iceberg.catalog.TableName.parse(table) : null);
    List<String> after = rows(restored, null);
    List<String> knownGood = rows(restored, versions.tuesday());
    boolean equal = after.equals(knownGood);

    var result = outcome.result();
    Map<String, Object> json = RestoreReport.json(outcome.outcome(), equal ? ExitCodes.OK : ExitCodes.FAILED,
        result.plan(), result.newCurrentSnapshotId(), result.duration(), outcome.jobExecutionId());
    json.put("command", "demo");
    json.put("snapshots", Map.of("monday", versions.monday(), "tuesday", versions.tuesday(), "wednesday", versions.wednesday()));
    json.put("rows-before", before);
    json.put("rows-after", after);
    json.put("content-equals-known-good", equal);

    StringBuilder text = new StringBuilder();
    text.append("Table ").append(table).append(": snapshots monday=").append(versions.monday())
        .append(", tuesday=").append(versions.tuesday()).append(" (tag ").append(DemoTable.KNOWN_GOOD_TAG)
        .append("), wednesday=").append(versions.wednesday()).append(" (bad load)\n\n");
    text.append("Rows before the restore (current = wednesday):\n");
    before.forEach(r -> text.append("  ").append(r).append('\n'));
    text.append('\n').append(RestoreReport.resultText(result.plan(), result.newCurrentSnapshotId(),
        result.duration(), outcome.jobExecutionId()));
    text.append("\nRows after the restore:\n");
    after.forEach(r -> text.append("  ").append(r).append('\n'));
    text.append("\nContent equals the known-good snapshot ").append(versions.tuesday()).append(": ")
        .append(equal ? "yes" : "NO").append('\n');
    text.append("Next: java -jar jobs/target/rollback-jobs.jar snapshots --table ").append(table)
        .append("   and   ... history\n");
    Output.print(spec, output, json, text.toString());
    return equal ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private int exampleSystem() {
    ExampleSystemData.Snapshots snapshots = badLoad ? ExampleSystemData.badLoad(catalog.getObject())
        : ExampleSystemData.create(catalog.getObject());
    Map<String, Object> json = Output.result("demo", "completed", ExitCodes.OK);
    json.put(ExampleSystemData.TRANSACTIONS, snapshots.transactions());
    json.put(ExampleSystemData.DOCUMENTS, snapshots.documents());
    Output.print(spec, output, json, (badLoad ? "Bad load appended: " : "Example system tables created: ")
        + ExampleSystemData.TRANSACTIONS + " at snapshot " + snapshots.transactions() + ", " + ExampleSystemData.DOCUMENTS
        + " at snapshot " + snapshots.documents() + "\n");
    return ExitCodes.OK;
  }

  private static List<String> rows(Table table, Long snapshotId) {
    return GenericDataFiles.read(table, snapshotId).stream()
        .sorted(Comparator.comparing(r -> (Long) r.getField("order_id")))
        .map(DemoCommand::format)
        .toList();
  }

  private static String format(Record r) {
    return String.format("order %d  %-8s %10.2f  (%s)", r.getField("order_id"), r.getField("customer"),
        r.getField("amount"), r.getField("load"));
  }
}
