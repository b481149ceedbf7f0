package org.rollbackjobs.jobs.cli;

import java.util.HashSet;
import java.util.Set;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

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
      exitCode = Cli.commandLine(onlyInvoked(factory, commandArgs)).execute(commandArgs);
    }
  }

  @Override
  public int getExitCode() {
    return exitCode;
  }

  /**
   * A factory that lets Spring make (and autowire) only the commands on the path of the one that runs; the other
   * commands, which picocli instantiates to build the command line, are plain objects. With lazy initialisation
   * ({@code spring.main.lazy-initialization}) the beans that only other commands use are then never created: a
   * {@code history} connects no Iceberg catalog, builds no job and no HTTP client.
   */
  static IFactory onlyInvoked(IFactory spring, String[] commandArgs) {
    Set<Class<?>> invoked = new HashSet<>();
    try {
      for (ParseResult p = Cli.commandLine(CommandLine.defaultFactory()).parseArgs(commandArgs); p != null;
          p = p.subcommand()) {
        invoked.add(p.commandSpec().userObject().getClass());
      }
    } catch (ParameterException e) {
      return spring; // reported when the command line built with Spring's factory parses it
    }
    IFactory plain = CommandLine.defaultFactory();
    return new IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        boolean otherCommand = cls.isAnnotationPresent(Command.class) && !invoked.contains(cls)
            && cls.getPackage() == CliRunner.class.getPackage();
        return otherCommand ? plain.create(cls) : spring.create(cls);
      }
    };
  }
}
