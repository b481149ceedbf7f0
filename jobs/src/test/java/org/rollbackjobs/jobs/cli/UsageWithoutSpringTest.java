package org.rollbackjobs.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the command line alone can tell is answered before the application starts: no Spring context, no database
 * (none is configured for this test). Each usage error exits 2 with a message naming what was wrong.
 */
class UsageWithoutSpringTest {
  private record Answer(Integer exitCode, String stdout, String stderr) {}

  private static Answer answer(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Integer code = Cli.answerWithoutSpring(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Answer(code, out.toString(), err.toString());
  }

  static Stream<Arguments> usageErrors() {
    return Stream.of(
        Arguments.of(List.of("restore", "--table", "shop.orders", "--to-tag", "good"), "--reason is required"),
        Arguments.of(List.of("restore", "--table", "orders", "--to-tag", "good", "--reason", "r"), "no namespace"),
        Arguments.of(List.of("restore", "--table", "shop.orders;drop", "--to-tag", "good", "--reason", "r"),
            "invalid part"),
        Arguments.of(List.of("restore", "--table", "shop.orders", "--to-timestamp", "yesterday", "--reason", "r"),
            "ISO-8601"),
        Arguments.of(List.of("recompute-features", "--system", "s", "--reason", "r"), "--system needs --feature"),
        Arguments.of(List.of("recompute-features", "--pipeline", "p", "--version", "1", "--source", "a.b",
            "--reason", "r"), "--target"),
        Arguments.of(List.of("recompute-features", "--system", "s", "--system-file", "s.yml", "--feature", "f",
            "--reason", "r"), "not both"),
        Arguments.of(List.of("rebuild-index", "--index", "docs", "--embedding", "e", "--source-table", "kb.docs",
            "--cool-down", "tomorrow", "--reason", "r"), "--cool-down 'tomorrow' is not a duration"),
        Arguments.of(List.of("rebuild-index", "--index", "docs;drop", "--embedding", "e", "--source-table", "kb.docs",
            "--reason", "r"), "docs;drop"),
        Arguments.of(List.of("rebuild-index", "--index", "docs", "--embedding", "e", "--source-table", "kb.docs",
            "--source-query", "SELECT 1", "--reason", "r"), "exactly one of --source-table and --source-query"),
        Arguments.of(List.of("rebuild-index", "--index", "docs", "--switch-back", "--embedding", "e", "--reason", "r"),
            "--switch-back takes only"),
        Arguments.of(List.of("rebuild-index", "--index", "docs", "--embedding", "e", "--source-table", "kb.docs",
            "--chunk-size", "0", "--reason", "r"), "--chunk-size 0 is out of range"),
        Arguments.of(List.of("manifest", "capture", "--reason", "r"), "give --system NAME or --system-file PATH"),
        Arguments.of(List.of("manifest", "capture", "--system", "Bad Name", "--reason", "r"), "is not a system name"),
        Arguments.of(List.of("manifest", "retire", "3"), "--reason is required"),
        Arguments.of(List.of("trigger-retrain", "--model", "m", "--reason", "r"), "give --system NAME"),
        Arguments.of(List.of("verify"), "give --system NAME or --system-file PATH"),
        Arguments.of(List.of("history", "--table", "orders"), "no namespace"),
        Arguments.of(List.of("history", "--limit", "0"), "--limit must be at least 1"),
        Arguments.of(List.of("snapshots", "--table", "x"), "no namespace"),
        Arguments.of(List.of("status", "--execution", "abc"), "abc"),
        Arguments.of(List.of("drill", "--reason", "r"), "give --system NAME or --system-file PATH"),
        Arguments.of(List.of("drill", "--system", "s"), "--reason is required"),
        Arguments.of(List.of("drill", "--system", "s", "--to-manifest", "last", "--reason", "r"),
            "--to-manifest 'last' is neither a manifest id nor 'previous'"),
        Arguments.of(List.of("drill", "--system", "s", "--inject", "flood", "--reason", "r"),
            "--inject 'flood' is not a fault; valid: none, bad-load, stale-features, mixed-embeddings"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usageErrors")
  void usageErrorsExitTwoBeforeSpringStarts(List<String> args, String expected) {
    Answer answer = answer(args.toArray(String[]::new));
    assertThat(answer.exitCode()).as(answer.stderr()).isEqualTo(2);
    assertThat(answer.stderr()).startsWith("error: ").contains(expected);
  }

  @Test
  void aUsageErrorWithJsonPrintsTheJsonErrorLine() throws Exception {
    Answer answer = answer("restore", "--table", "shop.orders", "--to-tag", "good", "--json");
    assertThat(answer.exitCode()).isEqualTo(2);
    List<String> lines = answer.stdout().lines().toList();
    JsonNode json = Output.JSON.readTree(lines.get(lines.size() - 1));
    assertThat(json.get("command").asText()).isEqualTo("restore");
    assertThat(json.get("exit-code").asInt()).isEqualTo(2);
    assertThat(json.get("error").asText()).contains("--reason is required");
  }

  @Test
  void validCommandLinesGoOnToTheApplication() {
    assertThat(answer("restore", "--table", "shop.orders", "--to-tag", "good", "--reason", "r").exitCode()).isNull();
    assertThat(answer("restore", "--table", "shop.orders", "--to-tag", "good", "--dry-run").exitCode()).isNull();
    assertThat(answer("rebuild-index", "--index", "docs", "--embedding", "e", "--source-table", "kb.docs",
        "--cool-down", "7d", "--reason", "r").exitCode()).isNull();
    assertThat(answer("recompute-features", "--system", "s", "--feature", "f", "--reason", "r").exitCode()).isNull();
    assertThat(answer("history", "--table", "shop.orders").exitCode()).isNull();
    assertThat(answer("drill", "--system", "s", "--inject", "bad-load", "--keep", "--reason", "r").exitCode())
        .isNull();
  }

  @Test
  void aSecretGivenAsAnUnknownOptionIsNotRepeated() {
    for (String[] args : new String[][] {{"history", "--password=hunter2", "--json"},
        {"history", "--spring.datasource.password", "hunter2", "--json"}, {"status", "--api-key", "hunter2"}}) {
      Answer answer = answer(args);
      assertThat(answer.exitCode()).isEqualTo(2);
      assertThat(answer.stderr()).contains("Unknown option", "***").doesNotContain("hunter2");
      assertThat(answer.stdout()).doesNotContain("hunter2");
    }
    assertThat(Cli.secretArguments(new String[] {"--token", "t", "--x=y", "--jdbc.password=p", "--json"}))
        .containsExactly("t", "p");
  }

  @Test
  void anUnknownCommandListsTheCommands() {
    Answer answer = answer("promote", "--system", "s");
    assertThat(answer.exitCode()).isEqualTo(2);
    assertThat(answer.stderr()).contains("unknown command 'promote'").contains("restore", "rebuild-index", "verify");
  }

  @Test
  void topLevelHelpNamesJsonAndKeepsTokensWhole() {
    Answer answer = answer("--help");
    assertThat(answer.exitCode()).isZero();
    assertThat(answer.stdout()).contains("--json").contains("--spring.datasource.url=URL");
    for (String line : answer.stdout().lines().toList()) {
      assertThat(line.length()).isLessThanOrEqualTo(Cli.USAGE_WIDTH);
    }
  }
}
