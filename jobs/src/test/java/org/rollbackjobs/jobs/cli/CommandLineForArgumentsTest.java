package org.rollbackjobs.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A start builds only the command it runs; what that command says and accepts is what the full command line has. */
class CommandLineForArgumentsTest {
  private static final List<String> ALL = List.copyOf(Cli.commandLine(CommandLine.defaultFactory()).getSubcommands()
      .keySet());

  @Test
  void everyCommandIsThereInTheOrderOfTheHelp() {
    assertThat(ALL).hasSize(RollbackCommand.COMMANDS.size()).startsWith("snapshots", "restore").endsWith("demo")
        .contains("history", "manifest", "rollback");
  }

  @Test
  void argumentsStartingWithACommandBuildOnlyThatCommandWithTheSameUsage() {
    CommandLine full = Cli.commandLine(CommandLine.defaultFactory());
    for (String name : ALL) {
      CommandLine only = Cli.commandLine(CommandLine.defaultFactory(), new String[] {name, "--json"});
      assertThat(only.getSubcommands()).containsOnlyKeys(name);
      assertThat(only.getSubcommands().get(name).getUsageMessage()).as(name)
          .isEqualTo(full.getSubcommands().get(name).getUsageMessage());
    }
    CommandLine manifest = Cli.commandLine(CommandLine.defaultFactory(), new String[] {"manifest", "list"});
    assertThat(manifest.getSubcommands().get("manifest").getSubcommands()).containsKeys("capture", "list", "show");
  }

  @Test
  void helpVersionNoCommandOrAnUnknownWordBuildEveryCommand() {
    for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"-V"},
        new String[] {"histroy"}, new String[] {"--json", "history"})) {
      assertThat(Cli.commandLine(CommandLine.defaultFactory(), args).getSubcommands().keySet()).as(String.join(" ", args))
          .containsExactlyElementsOf(ALL);
    }
  }
}
