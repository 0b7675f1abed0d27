package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.manifest.ModelTreeException;
import dev.modelseal.oms.IgnorePaths;
import dev.modelseal.oms.KeyException;
import dev.modelseal.oms.SigningException;
import dev.modelseal.oms.VerificationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Maps signing and verification failures to the exit statuses and one-line messages. */
final class OmsOutcome {
  private OmsOutcome() {}

  /** 2 for unusable input (keys, usage, I/O), 3 for nothing to sign, 1 for a failed check. */
  static int exitCode(ModelSealException e) {
    if (e instanceof KeyException) {
      return ExitCode.CANNOT_RUN;
    }
    if (e instanceof SigningException && e.rule().equals(SigningException.NOTHING_TO_SIGN)) {
      return ExitCode.NOTHING_TO_CHECK;
    }
    if (e instanceof ModelTreeException && e.rule().equals(IgnorePaths.BAD_USER_PATH)) {
      return ExitCode.CANNOT_RUN;
    }
    if (e instanceof VerificationException v && v.getCause() instanceof IOException) {
      return ExitCode.CANNOT_RUN;
    }
    return ExitCode.CHECK_FAILED;
  }

  /** A command's work: signing, verifying or writing keys, failing on bad input or I/O. */
  @FunctionalInterface
  interface Work {
    int run() throws IOException, ModelSealException;
  }

  /**
   * Runs {@code work} and returns its exit status, or reports its failure as {@link #report}s do.
   */
  static int run(PrintWriter err, boolean debug, Work work) {
    try {
      return work.run();
    } catch (ModelSealException e) {
      return report(err, e, debug);
    } catch (IOException e) {
      return report(err, e, debug);
    }
  }

  /** Prints each line of the message as its own problem line. */
  static int report(PrintWriter err, ModelSealException e, boolean debug) {
    for (String line : e.getMessage().split("\n", -1)) {
      err.println("modelseal: " + line);
    }
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode(e);
  }

  static int report(PrintWriter err, IOException e, boolean debug) {
    String message =
        switch (e) {
          case NoSuchFileException n -> n.getFile() + ": no such file or directory";
          case AccessDeniedException a -> a.getFile() + ": permission denied";
          default -> "I/O error: " + e.getMessage();
        };
    err.println("modelseal: " + message);
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCode.CANNOT_RUN;
  }

  /**
   * Hashing progress on stderr, only when stderr is a terminal and output is not JSON; a single
   * line rewritten at most five times a second, cleared by {@link Progress#finish}.
   */
  static Progress progress(PrintWriter err, boolean wanted) {
    boolean terminal =
        java.util.Optional.ofNullable(System.console())
            .map(java.io.Console::isTerminal)
            .orElse(false);
    return new Progress(err, wanted && terminal);
  }

  /** See {@link #progress}. */
  static final class Progress implements dev.modelseal.manifest.HashProgress {
    private final PrintWriter err;
    private final boolean enabled;
    private long lastNanos;
    private boolean shown;

    private Progress(PrintWriter err, boolean enabled) {
      this.err = err;
      this.enabled = enabled;
    }

    @Override
    public synchronized void update(long bytesDone, long bytesTotal) {
      long now = System.nanoTime();
      if (!enabled || bytesTotal <= 0 || now - lastNanos < 200_000_000L) {
        return;
      }
      lastNanos = now;
      shown = true;
      err.printf(
          java.util.Locale.ROOT,
          "\rhashing %3d%% (%,d of %,d MB)",
          bytesDone * 100 / bytesTotal,
          bytesDone >> 20,
          bytesTotal >> 20);
      err.flush();
    }

    synchronized void finish() {
      if (shown) {
        err.print("\r" + " ".repeat(60) + "\r");
        err.flush();
        shown = false;
      }
    }
  }

  static int usage(PrintWriter err, String message) {
    err.println("modelseal: " + message);
    err.flush();
    return ExitCode.CANNOT_RUN;
  }
}
