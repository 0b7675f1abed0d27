package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Subcommands are registered on demand; every way of reaching one must still work. */
class CommandRegistrationTest {
  @Test
  void commandLine_namedSubcommand_registersOnlyThatOne() {
    CommandLine cl = Main.commandLine(CommandLine.defaultFactory(), new String[] {"scan", "x"});
    assertThat(cl.getSubcommands()).containsOnlyKeys("scan");
  }

  @Test
  void commandLine_versionAlone_registersNone() {
    CommandLine cl = Main.commandLine(CommandLine.defaultFactory(), new String[] {"--version"});
    assertThat(cl.getSubcommands()).isEmpty();
  }

  @Test
  void commandLine_noNameOrHelp_registersEverySubcommand() {
    for (String[] args : new String[][] {{}, {"help", "scan"}, {"--help"}, {"scann"}}) {
      CommandLine cl = Main.commandLine(CommandLine.defaultFactory(), args);
      assertThat(cl.getSubcommands()).hasSize(Main.SUBCOMMANDS.size());
    }
  }

  @Test
  void subcommands_everyClassIsACommandWithAUniqueName() {
    assertThat(Main.SUBCOMMANDS)
        .allSatisfy(c -> assertThat(c.getAnnotation(Command.class)).isNotNull())
        .extracting(c -> c.getAnnotation(Command.class).name())
        .doesNotHaveDuplicates();
  }

  @Test
  void help_listsEveryCommand_andHelpOfOneCommandWorks() {
    CliRun all = CliRun.of("--help");
    assertThat(all.status()).isEqualTo(ExitCode.OK);
    assertThat(all.out()).contains("inspect", "hash", "verify", "scan", "diff", "oms");
    CliRun one = CliRun.of("help", "verify");
    assertThat(one.status()).isEqualTo(ExitCode.OK);
    assertThat(one.out()).contains("--signature");
  }

  @Test
  void mistypedCommand_isAUsageErrorWithASuggestion() {
    CliRun r = CliRun.of("scann", "x");
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("scan");
  }
}
