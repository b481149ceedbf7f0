package org.rollbackjobs.jobs.cli;

import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;
import picocli.CommandLine.IFactory;

/** Runs the command given on the command line inside the application; its exit code becomes the JVM's. */
@Component
public class CliRunner implements CommandLineRunner, ExitCodeGenerator {
  private final IFactory factory;
  private int exitCode;

  public CliRunner(IFactory factory) {
    this.factory = factory;
  }

  @Override
  public void run(String... args) {
    String[] commandArgs = Cli.commandArguments(args);
    if (commandArgs.length > 0) { // tests start the application without a command
      exitCode = Cli.commandLine(factory).execute(commandArgs);
    }
  }

  @Override
  public int getExitCode() {
    return exitCode;
  }
}
