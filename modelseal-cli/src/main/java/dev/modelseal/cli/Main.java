package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.digest.DigestEngine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
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
    subcommands = {
      DemoCommand.class,
      InspectCommand.class,
      HashCommand.class,
      KeygenCommand.class,
      SignCommand.class,
      VerifyCommand.class,
      DiffCommand.class,
      ScanCommand.class,
      OmsCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit status: 0 success/clean, 1 check failed, 2 could not run, 3 nothing to check."
    })
public final class Main {

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
    return run(args, out, err, CommandLine.defaultFactory());
  }

  /** As {@link #run(String[], PrintWriter, PrintWriter)}, with commands made by {@code factory}. */
  static int run(String[] args, PrintWriter out, PrintWriter err, CommandLine.IFactory factory) {
    CommandLine cl = commandLine(factory);
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cl = new CommandLine(new Main(), factory);
    // picocli already exits 2 (its USAGE code) on invalid input, as the contract wants.
    cl.setExecutionExceptionHandler(Main::handleException);
    return cl;
  }

  /** One line per problem on stderr; a stack trace only with {@code --debug}. */
  private static int handleException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    boolean debug =
        parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"))
            || parseResult.hasMatchedOption("--debug");
    Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
    int code;
    String message;
    if (t instanceof ModelSealException mse) {
      code = ExitCode.CHECK_FAILED;
      message = mse.getMessage();
    } else if (t instanceof NoSuchFileException nsf) {
      code = ExitCode.CANNOT_RUN;
      message = nsf.getFile() + ": no such file or directory";
    } else if (t instanceof AccessDeniedException ade) {
      code = ExitCode.CANNOT_RUN;
      message = ade.getFile() + ": permission denied";
    } else if (t instanceof IOException io) {
      code = ExitCode.CANNOT_RUN;
      message = "I/O error: " + io.getMessage();
    } else {
      code = ExitCode.CANNOT_RUN;
      message = "internal error: " + t + " (run with --debug for details)";
    }
    err.println("modelseal: " + message);
    if (debug) {
      t.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  /** Reports the version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"modelseal " + (v == null ? "development build" : v)};
    }
  }
}
