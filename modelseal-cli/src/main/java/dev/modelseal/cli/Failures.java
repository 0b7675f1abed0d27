package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** How a command's failure reaches the user: one line on stderr, a stack trace only on request. */
final class Failures {
  private Failures() {}

  /**
   * Prints {@code failure} as one line (and its stack trace when {@code debug}) and returns the
   * exit status: 1 when a check failed, 2 when the command could not run.
   */
  static int report(Throwable failure, PrintWriter err, boolean debug) {
    Throwable t = failure instanceof UncheckedIOException u ? u.getCause() : failure;
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
}
