package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.digest.DigestEngine;
import dev.modelseal.format.WeightFileOpener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

/** The {@code modelseal} command: the only place that prints or exits. */
@Command(
    name = "modelseal",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = Main.Version.class,
    description = "Keeps machine-learning model weights from being manipulated.",
    footer = {
      "",
      "Exit status: 0 success/clean, 1 check failed, 2 could not run, 3 nothing to check."
    })
public final class Main {
  /**
   * Every subcommand, in the order {@code modelseal --help} lists them. They are registered with
   * picocli on demand (see {@link #commandLine(CommandLine.IFactory, String[])}), not through the
   * {@code subcommands} attribute, because building the model of one command costs picocli tens of
   * milliseconds of reflection at every start.
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          DemoCommand.class,
          InspectCommand.class,
          HashCommand.class,
          KeygenCommand.class,
          SignCommand.class,
          VerifyCommand.class,
          DiffCommand.class,
          ScanCommand.class,
          LintCommand.class,
          AuditCommand.class,
          OmsCommand.class,
          CommandLine.HelpCommand.class);

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("hash")) {
      // Binding libcrypto costs tens of milliseconds of FFM set-up: do it on a spare core while
      // the command line is parsed, not after.
      Thread.ofPlatform().daemon().name("digest-warm-up").start(DigestEngine::warmUp);
    }
    PrintWriter out =
        new PrintWriter(
            new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16));
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int status = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** Runs the command line and returns the exit status; used by tests too. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, WeightReaders.installed());
  }

  /**
   * As {@link #run(String[], PrintWriter, PrintWriter)}, with weight files read by {@code readers}.
   */
  static int run(String[] args, PrintWriter out, PrintWriter err, WeightFileOpener readers) {
    Optional<HashRequest> hash = HashArgs.parse(args);
    if (hash.isPresent()) {
      try {
        return HashRun.run(hash.get(), readers, out, err);
      } catch (UsageException e) {
        // Nothing printed yet: picocli reports it below, with the usage help, as it always does.
      } catch (IOException | ModelSealException | RuntimeException e) {
        return Failures.report(e, err, hash.get().debug());
      }
    }
    return runWithPicocli(args, out, err, readers);
  }

  /** Runs the command line through picocli alone, never the start-up path of {@code hash}. */
  static int runWithPicocli(
      String[] args, PrintWriter out, PrintWriter err, WeightFileOpener readers) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine cl =
        commandLine(
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> cls) throws Exception {
                return cls == HashCommand.class
                    ? cls.cast(new HashCommand(readers))
                    : defaults.create(cls);
              }
            },
            args);
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  /** The whole command line with every subcommand, as help and completion see it. */
  static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory(), new String[0]);
  }

  /**
   * The command line for {@code args}: when they start with the name of a subcommand, only that
   * subcommand is registered; otherwise (no arguments, an option, {@code help}, an {@code @file} or
   * a mistyped name, which picocli answers with suggestions) all of them are.
   */
  static CommandLine commandLine(CommandLine.IFactory factory, String[] args) {
    CommandLine cl = new CommandLine(new Main(), factory);
    Class<?> only = soleSubcommand(args);
    boolean versionOnly = args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    for (Class<?> c : SUBCOMMANDS) {
      if (!versionOnly && (only == null || c == only)) {
        cl.addSubcommand(new CommandLine(c, factory));
      }
    }
    // picocli already exits 2 (its USAGE code) on invalid input, as the contract wants.
    cl.setExecutionExceptionHandler(Main::handleException);
    return cl;
  }

  /** The subcommand that {@code args} start with, or null when they do not name exactly one. */
  static Class<?> soleSubcommand(String[] args) {
    if (args.length == 0 || args[0].equals("help")) {
      return null;
    }
    for (Class<?> c : SUBCOMMANDS) {
      Command command = c.getAnnotation(Command.class);
      if (command != null && command.name().equals(args[0])) {
        return c;
      }
    }
    return null;
  }

  /** One line per problem on stderr; a stack trace only with {@code --debug}. */
  private static int handleException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    boolean debug =
        parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"))
            || parseResult.hasMatchedOption("--debug");
    return Failures.report(ex, cmd.getErr(), debug);
  }

  /** Reports the version and the commit the tool was built from. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return BuildInfo.current().versionLines();
    }
  }
}
