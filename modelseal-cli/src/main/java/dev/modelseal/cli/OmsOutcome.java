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

  static int usage(PrintWriter err, String message) {
    err.println("modelseal: " + message);
    err.flush();
    return ExitCode.CANNOT_RUN;
  }
}
