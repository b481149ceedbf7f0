package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.iceberg.restore.Lineage;
import org.rollbackjobs.jobs.demo.DemoTable;
import org.junit.jupiter.api.Test;

class RestoreCommandTest extends CliHarness {

  private DemoTable.Versions freshTable(String name) {
    return DemoTable.create(catalog, name);
  }

  private static List<String> rows(Table table, Long snapshotId) {
    return GenericDataFiles.read(table, snapshotId).stream().map(Record::toString)
        .sorted(Comparator.naturalOrder()).toList();
  }

  @Test
  void commitModeRestoresTargetContentAsNewSnapshotWithLineageAndAudit() {
    DemoTable.Versions v = freshTable("cli.commit_mode");
    Result result = run("restore", "--table", "cli.commit_mode", "--to-snapshot", Long.toString(v.monday()),
        "--reason", "bad tuesday and wednesday loads", "--actor", "incident-42", "--json");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    JsonNode json = result.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("from-snapshot").asLong()).isEqualTo(v.wednesday());
    assertThat(json.get("to-snapshot").asLong()).isEqualTo(v.monday());
    assertThat(json.get("files-restored").asInt()).isEqualTo(1); // monday's file, removed by wednesday
    assertThat(json.get("rows-restored").asLong()).isEqualTo(3);
    assertThat(json.get("files-discarded").asInt()).isEqualTo(2); // tuesday's file and wednesday's bad one
    assertThat(json.get("rows-discarded").asLong()).isEqualTo(6);
    long jobExecution = json.get("job-execution-id").asLong();
    assertThat(json.get("duration-ms").asLong()).isNotNegative();

    Table table = table("cli.commit_mode");
    Snapshot current = table.currentSnapshot();
    assertThat(current.snapshotId()).isEqualTo(json.get("new-current-snapshot").asLong());
    assertThat(current.parentId()).isEqualTo(v.wednesday()); // history kept: roll-forward possible
    assertThat(rows(table, null)).isEqualTo(rows(table, v.monday())).hasSize(3);
    Map<String, String> summary = current.summary();
    assertThat(summary).containsEntry(Lineage.REASON, "bad tuesday and wednesday loads")
        .containsEntry(Lineage.TARGET_SNAPSHOT, Long.toString(v.monday()))
        .containsEntry(Lineage.JOB_EXECUTION, Long.toString(jobExecution))
        .containsEntry(Lineage.ACTOR, "incident-42");

    JsonNode history = run("history", "--table", "cli.commit_mode", "--json").json().get("records");
    assertThat(history).hasSize(1);
    assertThat(history.get(0).get("actor").asText()).isEqualTo("incident-42");
    assertThat(history.get(0).get("reason").asText()).isEqualTo("bad tuesday and wednesday loads");
    assertThat(history.get(0).get("outcome").asText()).isEqualTo("completed");
    assertThat(history.get(0).get("job-execution-id").asLong()).isEqualTo(jobExecution);

    // roll forward to the bad version again, then back by tag: both exact
    assertThat(run("restore", "--table", "cli.commit_mode", "--to-snapshot", Long.toString(v.wednesday()),
        "--reason", "roll forward").exitCode()).isZero();
    assertThat(rows(table("cli.commit_mode"), null)).isEqualTo(rows(table, v.wednesday()));
    assertThat(run("restore", "--table", "cli.commit_mode", "--to-tag", DemoTable.KNOWN_GOOD_TAG,
        "--reason", "back to known good").exitCode()).isZero();
    assertThat(rows(table("cli.commit_mode"), null)).isEqualTo(rows(table, v.tuesday()));
  }

  @Test
  void pointerModeMovesTheCurrentSnapshot() {
    DemoTable.Versions v = freshTable("cli.pointer_mode");
    Result result = run("restore", "--table", "cli.pointer_mode", "--to-tag", DemoTable.KNOWN_GOOD_TAG,
        "--mode", "pointer", "--reason", "undo bad load", "--json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.json().get("new-current-snapshot").asLong()).isEqualTo(v.tuesday());
    Table table = table("cli.pointer_mode");
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(v.tuesday());
    assertThat(rows(table, null)).isEqualTo(rows(table, v.tuesday()));
  }

  @Test
  void timestampTargetRestoresTheStateAtThatInstant() {
    DemoTable.Versions v = freshTable("cli.by_time");
    Table table = table("cli.by_time");
    long tuesdayAt = table.snapshot(v.tuesday()).timestampMillis();
    String between = Instant.ofEpochMilli(tuesdayAt).toString(); // exactly when tuesday became current
    Result result = run("restore", "--table", "cli.by_time", "--to-timestamp", between, "--reason", "as of tuesday", "--json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.json().get("to-snapshot").asLong()).isEqualTo(v.tuesday());
    assertThat(rows(table("cli.by_time"), null)).isEqualTo(rows(table, v.tuesday()));
  }

  @Test
  void restoringToTheCurrentStateDoesNothing() {
    DemoTable.Versions v = freshTable("cli.noop");
    String before = metadataLocation("cli.noop");
    Result result = run("restore", "--table", "cli.noop", "--to-snapshot", Long.toString(v.wednesday()),
        "--reason", "already there", "--json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.json().get("status").asText()).isEqualTo("noop");
    assertThat(result.json().get("changed").asBoolean()).isFalse();
    assertThat(metadataLocation("cli.noop")).isEqualTo(before);

    // after a commit-mode restore, restoring to the same target again is a no-op too (content already equal)
    assertThat(run("restore", "--table", "cli.noop", "--to-snapshot", Long.toString(v.monday()), "--reason", "r").exitCode()).isZero();
    String afterRestore = metadataLocation("cli.noop");
    Result again = run("restore", "--table", "cli.noop", "--to-snapshot", Long.toString(v.monday()), "--reason", "r", "--json");
    assertThat(again.exitCode()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
    assertThat(metadataLocation("cli.noop")).isEqualTo(afterRestore);
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() {
    DemoTable.Versions v = freshTable("cli.dry_run");
    String before = metadataLocation("cli.dry_run");
    Result result = run("restore", "--table", "cli.dry_run", "--to-snapshot", Long.toString(v.monday()), "--dry-run", "--json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    JsonNode json = result.json();
    assertThat(json.get("status").asText()).isEqualTo("dry-run");
    assertThat(json.get("files-to-restore")).hasSize(1);
    assertThat(json.get("files-to-discard")).hasSize(2);
    assertThat(json.get("rows-discarded").asLong()).isEqualTo(6);
    assertThat(metadataLocation("cli.dry_run")).isEqualTo(before);

    Result text = run("restore", "--table", "cli.dry_run", "--to-snapshot", Long.toString(v.monday()), "--dry-run");
    assertThat(text.stdout()).contains("Dry run", "to restore", "1 data files, 3 rows", "to discard");
    assertThat(metadataLocation("cli.dry_run")).isEqualTo(before);
  }

  @Test
  void snapshotsListsSnapshotsTagsAndTheCurrentMarker() {
    DemoTable.Versions v = freshTable("cli.snapshots");
    JsonNode json = run("snapshots", "--table", "cli.snapshots", "--json").json();
    assertThat(json.get("current-snapshot").asLong()).isEqualTo(v.wednesday());
    assertThat(json.get("snapshots")).hasSize(3);
    JsonNode wednesday = json.get("snapshots").get(2);
    assertThat(wednesday.get("snapshot-id").asLong()).isEqualTo(v.wednesday());
    assertThat(wednesday.get("parent-id").asLong()).isEqualTo(v.tuesday());
    assertThat(wednesday.get("operation").asText()).isEqualTo("overwrite");
    assertThat(wednesday.get("added-records").asLong()).isEqualTo(4);
    assertThat(wednesday.get("deleted-records").asLong()).isEqualTo(3);
    assertThat(wednesday.get("current").asBoolean()).isTrue();
    assertThat(json.get("refs").toString()).contains("known-good", "main");

    Result text = run("snapshots", "--table", "cli.snapshots");
    assertThat(text.stdout()).contains("* " + v.wednesday(), "tag    known-good", "overwrite");
  }
}
