package org.rollbackjobs.jobs.cli;

import java.util.HashSet;
import java.util.Set;
import org.rollbackjobs.iceberg.BadInputException;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.context.ApplicationContext;
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
  private final AutowireCapableBeanFactory beans;
  private int exitCode;

  public CliRunner(IFactory factory, ApplicationContext context) {
    this.factory = factory;
    this.beans = context.getAutowireCapableBeanFactory();
  }

  @Override
  public void run(String... args) {
    String[] commandArgs = Cli.commandArguments(args);
    if (commandArgs.length == 0) { // tests start the application without a command
      return;
    }
    CommandLine commandLine;
    try {
      commandLine = Cli.commandLine(onlyInvoked(factory, beans, commandArgs), commandArgs);
    } catch (RuntimeException e) {
      BeansException configuration = configurationProblem(e);
      if (configuration == null) {
        throw e;
      }
      // a setting that cannot be used (rollback.notify.webhooks[0] is not a valid URL, ...): bad input, nothing ran;
      // reported like any failure to start (Cli.startupFailure: one line, the JSON error with --json, exit 2)
      throw new BadInputException(configuration.getMostSpecificCause().getMessage());
    }
    exitCode = commandLine.execute(commandArgs);
  }

  private static BeansException configurationProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BeansException beans) {
        return beans;
      }
    }
    return null;
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
  static IFactory onlyInvoked(IFactory spring, AutowireCapableBeanFactory beans, String[] commandArgs) {
    Set<Class<?>> invoked = new HashSet<>();
    try {
      for (ParseResult p = Cli.commandLine(CommandLine.defaultFactory(), commandArgs).parseArgs(commandArgs); p != null;
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
        if (cls.isAnnotationPresent(Command.class) && cls.getPackage() == CliRunner.class.getPackage()) {
          // the command that runs is autowired here, not by picocli's Spring factory, which would fall back to a
          // plain object (with null services) when a bean it needs cannot be made
          return invoked.contains(cls) ? beans.createBean(cls) : plain.create(cls);
        }
        return spring.create(cls);
      }
    };
  }
}
