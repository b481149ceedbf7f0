package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.rollbackjobs.jobs.demo.DemoTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input exits 2 with a message naming the problem and what would be valid, and changes nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest extends CliHarness {
  private static final String TABLE = "bad.orders";
  /** No snapshot of this one was expired: an instant before its first snapshot is simply too early. */
  private static final String FRESH = "bad.fresh";
  private DemoTable.Versions versions;
  private long expired;

  @BeforeAll
  void createTableWithAnExpiredSnapshot() {
    DemoTable.create(catalog, FRESH);
    versions = DemoTable.create(catalog, TABLE);
    Table table = table(TABLE);
    expired = versions.monday();
    table.expireSnapshots().expireSnapshotId(expired).commit();
  }

  Stream<Arguments> badRequests() {
    long first = table(TABLE).snapshot(versions.tuesday()).timestampMillis();
    long freshFirst = table(FRESH).history().get(0).timestampMillis();
    return Stream.of(
        Arguments.of("unknown table", List.of("--table", "bad.nope", "--to-snapshot", "1"), "does not exist"),
        Arguments.of("unknown namespace", List.of("--table", "nowhere.orders", "--to-snapshot", "1"), "does not exist"),
        Arguments.of("unknown snapshot", List.of("--table", TABLE, "--to-snapshot", "12345"), "available snapshots"),
        Arguments.of("expired snapshot", List.of("--table", TABLE, "--to-snapshot", Long.toString(expired)), "was expired"),
        Arguments.of("timestamp before first snapshot",
            List.of("--table", FRESH, "--to-timestamp", Instant.ofEpochMilli(freshFirst - 1).toString()),
            "before the first snapshot"),
        Arguments.of("timestamp at the expired snapshot",
            List.of("--table", TABLE, "--to-timestamp", Instant.ofEpochMilli(first - 1).toString()), "expired"),
        Arguments.of("malformed timestamp", List.of("--table", TABLE, "--to-timestamp", "yesterday"), "ISO-8601"),
        Arguments.of("unknown tag", List.of("--table", TABLE, "--to-tag", "nope"), "tags: known-good"),
        Arguments.of("branch given as tag", List.of("--table", TABLE, "--to-tag", "main"), "is a branch"),
        Arguments.of("two targets", List.of("--table", TABLE, "--to-tag", "known-good", "--to-snapshot", "1"), "mutually exclusive"),
        Arguments.of("no target", List.of("--table", TABLE), "Missing required argument"),
        Arguments.of("bad mode", List.of("--table", TABLE, "--to-tag", "known-good", "--mode", "sideways"), "COMMIT, POINTER"),
        Arguments.of("unsafe table name", List.of("--table", "bad.orders;drop", "--to-snapshot", "1"), "invalid part"),
        Arguments.of("table without namespace", List.of("--table", "orders", "--to-snapshot", "1"), "no namespace"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void exitsTwoWithAHelpfulMessageAndChangesNothing(String name, List<String> args, String expected) {
    String before = metadataLocation(TABLE);
    String freshBefore = metadataLocation(FRESH);
    List<String> all = new ArrayList<>(List.of("restore"));
    all.addAll(args);
    all.addAll(List.of("--reason", "test " + name, "--json"));

    Result result = run(all.toArray(String[]::new));

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr()).contains("error:").contains(expected);
    JsonNode json = result.json();
    assertThat(json.get("exit-code").asInt()).isEqualTo(2);
    assertThat(json.get("error").asText()).contains(expected);
    assertThat(metadataLocation(TABLE)).isEqualTo(before);
    assertThat(metadataLocation(FRESH)).isEqualTo(freshBefore);
    assertThat(table(TABLE).currentSnapshot().snapshotId()).isEqualTo(versions.wednesday());
  }

  @Test
  void reasonIsRequiredForARestore() {
    String before = metadataLocation(TABLE);
    Result result = run("restore", "--table", TABLE, "--to-tag", "known-good");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("--reason is required");
    assertThat(metadataLocation(TABLE)).isEqualTo(before);
  }

  @Test
  void rejectedRequestsAreAudited() {
    run("restore", "--table", TABLE, "--to-tag", "nope", "--reason", "audit me", "--actor", "auditor");
    JsonNode records = run("history", "--table", TABLE, "--json").json().get("records");
    assertThat(records.toString()).contains("\"actor\":\"auditor\"", "\"outcome\":\"rejected\"", "audit me");
  }

  @Test
  void restartOfAnUnknownExecutionIsBadInput() {
    Result result = run("restart", "--execution", "999999", "--json");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.json().get("error").asText()).contains("999999", "does not exist");
  }
}
