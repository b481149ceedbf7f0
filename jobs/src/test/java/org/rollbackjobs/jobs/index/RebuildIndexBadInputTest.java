package org.rollbackjobs.jobs.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.vector.testing.Documents;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every bad input of {@code rebuild-index} exits 2 with a message naming the problem, before anything changes: no
 * build is registered, no table is created, the serving relation and the registry are as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RebuildIndexBadInputTest extends CliHarness {
  @Autowired JdbcTemplate jdbc;
  long snapshot;

  @BeforeAll
  void existingIndexOfEightDimensions() {
    snapshot = Documents.create(catalog, "bad.docs", 20, 1, 3).currentSnapshot().snapshotId();
    jdbc.execute("CREATE SCHEMA IF NOT EXISTS badidx");
    jdbc.execute("CREATE TABLE IF NOT EXISTS badidx.small (doc_id bigint, embedding vector(8), embedding_version text)");
    jdbc.execute("INSERT INTO badidx.small VALUES (1, '[1,2,3,4,5,6,7,8]', 'tiny-model')");
  }

  Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("unknown embedding version",
            List.of("--index", "small", "--embedding", "all-minilm-l12", "--source-table", "bad.docs"),
            "unknown embedding version 'all-minilm-l12'; known versions: all-minilm-l6-v2"),
        Arguments.of("dimension mismatch with the existing index",
            List.of("--index", "small", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs"),
            "dimension mismatch: index badidx.small holds 8-dimensional vectors"),
        Arguments.of("unknown index name",
            List.of("--index", "nope", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs"),
            "index badidx.nope does not exist"),
        Arguments.of("switch back of an unknown index", List.of("--index", "small", "--switch-back"),
            "unknown index badidx.small: it is not managed by rollback-jobs"),
        Arguments.of("unknown source table",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.nope"),
            "table 'bad.nope' does not exist"),
        Arguments.of("unknown source snapshot",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--source-snapshot", "12345"), "snapshot 12345 does not exist"),
        Arguments.of("unknown id column",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--id-column", "doc_id"), "--id-column 'doc_id' is not a column"),
        Arguments.of("unknown text column",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--text-column", "body"), "--text-column 'body' is not a column"),
        Arguments.of("semicolon in the index name",
            List.of("--index", "docs;drop table x", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs"),
            "is not a safe SQL identifier"),
        Arguments.of("quote in the index name",
            List.of("--index", "docs\"", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs"),
            "is not a safe SQL identifier"),
        Arguments.of("space in the schema",
            List.of("--index", "docs", "--schema", "bad idx", "--embedding", "all-minilm-l6-v2-q", "--source-table",
                "bad.docs"), "schema 'bad idx' is not a safe SQL identifier"),
        Arguments.of("quote in the source table",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table",
                "bad.docs'"), "invalid part"),
        Arguments.of("semicolon in a query column",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-query",
                "SELECT 1 AS id, 'x' AS text", "--id-column", "id;drop"), "--id-column 'id;drop' is not a safe"),
        Arguments.of("two sources",
            List.of("--index", "new_one", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--source-query", "SELECT 1"), "exactly one of --source-table and --source-query"),
        Arguments.of("no embedding", List.of("--index", "new_one", "--source-table", "bad.docs"),
            "--embedding is required"),
        Arguments.of("bad cool-down",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--cool-down", "tomorrow"), "--cool-down 'tomorrow' is not a duration"),
        Arguments.of("bad ANN type",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--ann", "diskann"), "unknown ANN index type 'diskann'"),
        Arguments.of("recall floor out of range",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--recall-floor", "2"), "--recall-floor 2.0 is out of range"),
        Arguments.of("unsafe maintenance_work_mem",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--maintenance-work-mem", "1GB'; DROP TABLE x; --"), "is not a memory size"),
        Arguments.of("stored embeddings table without vectors",
            List.of("--index", "new_one", "--create", "--embedding", "all-minilm-l6-v2-q", "--source-table", "bad.docs",
                "--stored-embeddings", "bad.docs"), "needs columns doc_id, embedding_version"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void exitsTwoWithAHelpfulMessageAndChangesNothing(String name, List<String> args, String expected) {
    long builds = jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds", Long.class);
    long tables = jdbc.queryForObject("SELECT count(*) FROM pg_class WHERE relnamespace = 'badidx'::regnamespace",
        Long.class);
    List<String> registry = jdbc.queryForList("SELECT name || ':' || status FROM rollback.embedding_versions"
        + " ORDER BY 1", String.class);
    List<String> all = new ArrayList<>(List.of("rebuild-index"));
    if (!args.contains("--schema")) {
      all.addAll(List.of("--schema", "badidx"));
    }
    all.addAll(args);
    all.addAll(List.of("--reason", "test " + name, "--json"));

    Result result = run(all.toArray(String[]::new));

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr()).contains("error:").contains(expected);
    JsonNode json = result.json();
    assertThat(json.get("exit-code").asInt()).isEqualTo(2);
    assertThat(json.get("error").asText()).contains(expected);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds", Long.class)).isEqualTo(builds);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_class WHERE relnamespace = 'badidx'::regnamespace",
        Long.class)).isEqualTo(tables);
    assertThat(jdbc.queryForList("SELECT name || ':' || status FROM rollback.embedding_versions ORDER BY 1",
        String.class)).isEqualTo(registry);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM badidx.small", Long.class)).isEqualTo(1);
  }
}
