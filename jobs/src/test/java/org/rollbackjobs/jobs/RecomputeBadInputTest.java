package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.springframework.beans.factory.annotation.Autowired;

/** Every bad recompute request exits 2 with a message naming the problem, writes nothing, and is audited as rejected. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecomputeBadInputTest extends CliHarness {
  @Autowired AuditLog auditLog;
  long withoutCategory;
  String existingMetadata;

  @BeforeAll
  void source() {
    // the category column came later: the first snapshot has none
    Schema early = new Schema(TxnSource.SCHEMA.findField("customer_id"), TxnSource.SCHEMA.findField("amount"),
        TxnSource.SCHEMA.findField("ts"));
    Table source = TxnSource.create(catalog, "badrc.txn", early);
    withoutCategory = TxnSource.append(source, TxnSource.rows(early, 1, 300, 20), 1);
    source.updateSchema().addColumn("category", Types.StringType.get()).commit();
    source.refresh();
    TxnSource.append(source, TxnSource.rows(source.schema(), 2, 300, 20), 1);
    Result existing = run("recompute-features", "--pipeline", "customer_txn_features", "--version", "1", "--source",
        "badrc.txn", "--target", "badrc.existing", "--reason", "setup");
    assertThat(existing.exitCode()).as(existing.stderr()).isZero();
    existingMetadata = metadataLocation("badrc.existing");
  }

  Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("unknown pipeline", List.of("--pipeline", "nope", "--version", "1"),
            List.of("unknown pipeline 'nope'", "customer_txn_features (versions 1, 2)")),
        Arguments.of("unknown version", List.of("--pipeline", "customer_txn_features", "--version", "9"),
            List.of("has no version '9'; versions: 1, 2")),
        Arguments.of("unknown snapshot", List.of("--pipeline", "customer_txn_features", "--version", "1",
            "--source-snapshot", "4242"), List.of("snapshot 4242 does not exist", "available snapshots")),
        Arguments.of("column missing in the snapshot", List.of("--pipeline", "customer_txn_features", "--version", "2",
            "--source-snapshot", Long.toString(withoutCategory)),
            List.of("needs column 'category' (string)", "snapshot " + withoutCategory)),
        Arguments.of("unknown source", List.of("--pipeline", "customer_txn_features", "--version", "1",
            "--source", "badrc.nope"), List.of("table 'badrc.nope' does not exist")),
        Arguments.of("missing pipeline folder", List.of("--pipeline", "customer_txn_features", "--version", "1",
            "--pipelines", "/no/such/folder"), List.of("pipeline folder", "does not exist")),
        Arguments.of("no reason", List.of("--pipeline", "customer_txn_features", "--version", "1", "--reason", ""),
            List.of("--reason is required")),
        Arguments.of("no version", List.of("--pipeline", "customer_txn_features"), List.of("--version")));
  }

  /** The request's options, with a source, target and reason unless the options give their own. */
  private static String[] args(List<String> options, String target, String reason, boolean json) {
    List<String> args = new ArrayList<>(List.of("recompute-features"));
    args.addAll(options);
    if (!options.contains("--source")) {
      args.addAll(List.of("--source", "badrc.txn"));
    }
    if (!options.contains("--reason")) {
      args.addAll(List.of("--reason", reason));
    }
    args.addAll(List.of("--target", target));
    if (json) {
      args.add("--json");
    }
    return args.toArray(String[]::new);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void isRefusedWithExit2AndNothingWritten(String name, List<String> options, List<String> message) {
    for (String target : List.of("badrc.new", "badrc.existing")) {
      Result result = run(args(options, target, "bad input test", true));

      assertThat(result.exitCode()).as(name + ": " + result.stderr()).isEqualTo(2);
      assertThat(result.json().get("exit-code").asInt()).isEqualTo(2);
      assertThat(result.json().get("error").asText()).contains(message);
      assertThat(catalog.tableExists(TableName.parse("badrc.new"))).isFalse();
      assertThat(metadataLocation("badrc.existing")).isEqualTo(existingMetadata);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void isAuditedAsRejectedWhenItGotPastTheCommandLine(String name, List<String> options, List<String> message) {
    boolean usageError = message.get(0).startsWith("--");
    run(args(options, "badrc.audited", "audit " + name, false));
    boolean audited = auditLog.recent(50, "badrc.audited").stream()
        .anyMatch(e -> e.outcome().equals("rejected") && ("audit " + name).equals(e.reason()));
    assertThat(audited).as(name).isEqualTo(!usageError);
  }
}
