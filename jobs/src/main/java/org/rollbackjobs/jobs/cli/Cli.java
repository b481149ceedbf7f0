package org.rollbackjobs.jobs.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.secrets.Redaction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Builds the command line and maps outcomes to the documented exit codes and output channels. */
public final class Cli {
  /** {@code --spring.datasource.url=...} and other dotted properties belong to Spring Boot, not to the commands. */
  private static final Pattern SPRING_PROPERTY = Pattern.compile("^--[A-Za-z0-9_-]+(\\.[A-Za-z0-9_\\[\\]-]+)+=.*");

  private Cli() {}

  /** The command line with every command (help, reference documentation). */
  public static CommandLine commandLine(IFactory factory) {
    return commandLine(factory, RollbackCommand.COMMANDS);
  }

  /**
   * The command line for these arguments: when the first is a command's name, with only that command; else (help,
   * version, an unknown word) with every command. picocli builds each command's model by reflection over its
   * options and mixins, in a fresh JVM about 0.1 s for all of them, and a start builds the command line up to
   * three times (checks before Spring, then the command that runs, see {@code CliRunner}).
   */
  public static CommandLine commandLine(IFactory factory, String[] commandArgs) {
    if (commandArgs.length > 0) {
      for (Class<?> command : RollbackCommand.COMMANDS) {
        if (command.getAnnotation(Command.class).name().equals(commandArgs[0])) {
          return commandLine(factory, List.of(command));
        }
      }
    }
    return commandLine(factory);
  }

  private static CommandLine commandLine(IFactory factory, List<Class<?>> commands) {
    CommandLine cli = new CommandLine(RollbackCommand.class, factory);
    for (Class<?> command : commands) {
      cli.addSubcommand(command); // made by the factory, as picocli makes the subcommands of an annotation
    }
    // after the commands are added: these settings apply to the commands there at the time
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(Cli::handleExecutionException);
    cli.setParameterExceptionHandler(Cli::handleParameterException);
    cli.setExitCodeExceptionMapper(Cli::exitCodeOf);
    cli.setExecutionStrategy(Cli::validateThenRun);
    cli.setUsageHelpWidth(USAGE_WIDTH);
    return cli;
  }

  /** Wide enough that option names and values are not broken across lines. */
  static final int USAGE_WIDTH = 120;

  /** Runs the command's own checks (those of the command line alone) again, then the command. */
  private static int validateThenRun(ParseResult parsed) {
    if (!helpRequested(parsed)) {
      validate(parsed);
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  /**
   * The checks of the command line alone ({@link Validated}) of the command that runs and of its option mixins;
   * bad input is a usage error (exit 2).
   */
  static void validate(ParseResult parsed) {
    ParseResult leaf = parsed;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    CommandSpec spec = leaf.commandSpec();
    try {
      for (CommandSpec mixin : spec.mixins().values()) {
        if (mixin.userObject() instanceof Validated validated) {
          validated.validate();
        }
      }
      if (spec.userObject() instanceof Validated validated) {
        validated.validate();
      }
    } catch (BadInputException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private static boolean helpRequested(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
        return true;
      }
    }
    return false;
  }

  /** The arguments for picocli: Spring Boot property arguments removed. */
  public static String[] commandArguments(String[] args) {
    return Arrays.stream(args).filter(a -> !SPRING_PROPERTY.matcher(a).matches()).toArray(String[]::new);
  }

  /**
   * Answers {@code --help}, {@code --version}, a missing subcommand and usage errors without starting Spring
   * (no database needed). Returns the exit code, or null when the command must run in the application.
   */
  public static Integer answerWithoutSpring(String[] args) {
    return answerWithoutSpring(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  /** As {@link #answerWithoutSpring(String[])}, writing to the given streams. */
  public static Integer answerWithoutSpring(String[] args, PrintWriter out, PrintWriter err) {
    String[] commandArgs = commandArguments(args);
    CommandLine cli = commandLine(CommandLine.defaultFactory(), commandArgs);
    cli.setOut(out);
    cli.setErr(err);
    try {
      ParseResult parsed = cli.parseArgs(commandArgs);
      if (CommandLine.printHelpIfRequested(parsed)) {
        return ExitCodes.OK;
      }
      if (!parsed.hasSubcommand()) {
        cli.getErr().println("Missing command.");
        cli.usage(cli.getErr());
        return ExitCodes.BAD_INPUT;
      }
      validate(parsed);
      return null;
    } catch (ParameterException e) {
      try {
        return handleParameterException(e, commandArgs);
      } catch (Exception unexpected) {
        return ExitCodes.BAD_INPUT;
      }
    }
  }

  /**
   * The application could not start (database unreachable, bad configuration): one clear message on stderr
   * (and the JSON error with --json) instead of a page of stack traces.
   */
  public static int startupFailure(String[] args, Throwable e) {
    int code = exitCodeOf(e);
    String message = messageOf(e);
    if (e.getClass().getName().startsWith("org.rollbackjobs") || code == ExitCodes.BAD_INPUT) {
      message = "invalid configuration: " + message;
    } else if (isConnectionFailure(e)) {
      message = "cannot connect to PostgreSQL (spring.datasource.url): " + message.replaceAll("\\.?$", ".")
          + " Start one with 'bash .ci/pgvector-local.sh start' or 'docker compose up -d', or point"
          + " SPRING_DATASOURCE_URL at yours.";
    } else {
      message = "cannot start: " + message;
    }
    System.err.println("error: " + message);
    if (Arrays.asList(args).contains("--json")) {
      Map<String, Object> json = Output.result(commandName(args), "error", code);
      json.put("error", message);
      System.out.println(Output.toJson(json));
    }
    return code;
  }

  private static boolean isConnectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  private static String commandName(String[] args) {
    return Arrays.stream(commandArguments(args)).filter(a -> !a.startsWith("-")).findFirst().orElse("rollback-jobs");
  }

  static int exitCodeOf(Throwable e) {
    return ExitCodes.of(e);
  }

  private static int handleParameterException(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String unknown = unknownCommand(e);
    if (unknown != null) {
      err.println("error: unknown command '" + unknown + "'; the commands are: "
          + String.join(", ", cmd.getSubcommands().keySet()));
      err.println("Run '" + cmd.getCommandName() + " COMMAND --help' for a command's options.");
      err.flush();
      if (Arrays.asList(args).contains("--json")) {
        printJsonError(cmd, "unknown command '" + unknown + "'", ExitCodes.BAD_INPUT);
      }
      return ExitCodes.BAD_INPUT;
    }
    String message = Redaction.scrub(e.getMessage(), secretArguments(args));
    err.println("error: " + message.replaceFirst("^Error: ", ""));
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
      err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the valid options.");
    }
    err.flush();
    if (Arrays.asList(args).contains("--json")) {
      printJsonError(cmd, message, ExitCodes.BAD_INPUT);
    }
    return ExitCodes.BAD_INPUT;
  }

  /**
   * The values of options named like secrets ({@code --password=X}, {@code --spring.datasource.password X}): a
   * usage error repeats the arguments it did not understand, and a secret given by mistake must not be repeated.
   */
  static Set<String> secretArguments(String[] args) {
    Set<String> secrets = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("-")) {
        continue;
      }
      int eq = arg.indexOf('=');
      if (eq > 0 && Redaction.isSecretName(arg.substring(0, eq))) {
        secrets.add(arg.substring(eq + 1));
      } else if (eq < 0 && Redaction.isSecretName(arg) && i + 1 < args.length) {
        secrets.add(args[i + 1]);
      }
    }
    return secrets;
  }

  /** The word given where the top-level command expects a command name, if that is what went wrong. */
  private static String unknownCommand(ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched && e.getCommandLine().getParent() == null
        && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
      return unmatched.getUnmatched().get(0);
    }
    return null;
  }

  private static int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    int code = exitCodeOf(e);
    String message = messageOf(e);
    PrintWriter err = cmd.getErr();
    err.println("error: " + message);
    if (code == ExitCodes.FAILED && !ExitCodes.expected(e)) {
      e.printStackTrace(err);
    }
    err.flush();
    if (jsonRequested(parsed)) {
      printJsonError(cmd, message, code);
    }
    return code;
  }

  private static void printJsonError(CommandLine cmd, String message, int code) {
    // a refusal is "refused" whichever path it took: a guard a command checks itself, or a lock taken a moment later
    Map<String, Object> json = Output.result(cmd.getCommandName(), code == ExitCodes.REFUSED ? "refused" : "error",
        code);
    json.put("error", message);
    cmd.getOut().println(Output.toJson(json));
    cmd.getOut().flush();
  }

  static boolean jsonRequested(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--json")) {
        return true;
      }
    }
    return false;
  }

  private static String messageOf(Throwable e) {
    return ExitCodes.message(e);
  }
}
