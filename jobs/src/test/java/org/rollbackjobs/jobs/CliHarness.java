package org.rollbackjobs.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.jobs.cli.Cli;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Base of the command-line tests: the real application on the test PostgreSQL (job repository, audit log and
 * Iceberg JDBC catalog in it), the warehouse in a temporary folder, commands run as the JAR would run them.
 */
@SpringBootTest
public abstract class CliHarness {
  @Autowired protected IFactory factory;
  @Autowired protected Catalog catalog;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws IOException {
    TestPostgres db = TestPostgres.get();
    Path warehouse = Files.createTempDirectory("rollback-warehouse");
    registry.add("spring.datasource.url", db::jdbcUrl);
    registry.add("spring.datasource.username", db::user);
    registry.add("spring.datasource.password", db::password);
    registry.add("rollback.iceberg.catalog.warehouse", warehouse::toString);
  }

  /** What a command printed and returned. */
  public record Result(int exitCode, String stdout, String stderr) {
    public List<String> stdoutLines() {
      return stdout.lines().toList();
    }

    /** The last stdout line parsed as JSON (the {@code --json} contract). */
    public JsonNode json() {
      List<String> lines = stdoutLines();
      try {
        return Output.JSON.readTree(lines.get(lines.size() - 1));
      } catch (IOException | IndexOutOfBoundsException e) {
        throw new AssertionError("stdout has no JSON last line: " + stdout + "\nstderr: " + stderr, e);
      }
    }
  }

  protected Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.commandLine(factory);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  protected Table table(String name) {
    return catalog.loadTable(TableName.parse(name));
  }

  protected String metadataLocation(String name) {
    return ((HasTableOperations) table(name)).operations().refresh().metadataFileLocation();
  }
}
