package org.rollbackjobs.jobs.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.snapshot.RefInfo;
import org.rollbackjobs.iceberg.snapshot.SnapshotInfo;
import org.rollbackjobs.iceberg.snapshot.TableHistory;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "snapshots", mixinStandardHelpOptions = true,
    description = "Lists the snapshots (id, parent, time, operation, added/removed rows and files, current marker),"
        + " tags and branches of a table. Read-only.")
class SnapshotsCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--table", required = true, paramLabel = "NS.TABLE", description = "The Iceberg table, e.g. shop.transactions.")
  String table;

  @Autowired ObjectProvider<Catalog> catalog;

  @Override
  public void validate() {
    TableName.parse("--table", table);
  }

  @Override
  public Integer call() {
    TableHistory history = TableHistory.of(CatalogLoader.loadTable(catalog.getObject(), table));
    Map<String, Object> json = Output.result("snapshots", "completed", ExitCodes.OK);
    json.put("table", history.table());
    json.put("current-snapshot", history.currentSnapshotId());
    json.put("snapshots", history.snapshots());
    json.put("refs", history.refs());
    Output.print(spec, output, json, text(history));
    return ExitCodes.OK;
  }

  private static String text(TableHistory history) {
    StringBuilder out = new StringBuilder();
    out.append("Table ").append(history.table()).append(", current snapshot ").append(history.currentSnapshotId())
        .append(", ").append(history.snapshots().size()).append(" snapshots\n");
    String format = "%1s %-20s %-20s %-24s %-9s %10s %10s %7s %7s %11s %8s%n";
    out.append(String.format(format, "", "SNAPSHOT", "PARENT", "TIME (UTC)", "OPERATION", "+ROWS", "-ROWS",
        "+FILES", "-FILES", "TOTAL ROWS", "FILES"));
    for (SnapshotInfo s : history.snapshots()) {
      out.append(String.format(format, s.current() ? "*" : "", s.snapshotId(),
          s.parentId() == null ? "-" : s.parentId(), s.timestamp(), s.operation(), s.addedRecords(),
          s.deletedRecords(), s.addedDataFiles(), s.deletedDataFiles(), s.totalRecords(), s.totalDataFiles()));
    }
    out.append("Tags and branches:\n");
    if (history.refs().isEmpty()) {
      out.append("  (none)\n");
    }
    for (RefInfo ref : history.refs()) {
      out.append(String.format("  %-6s %-30s -> %d%n", ref.type(), ref.name(), ref.snapshotId()));
    }
    return out.toString();
  }
}
