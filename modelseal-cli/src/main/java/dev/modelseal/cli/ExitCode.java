package dev.modelseal.cli;

/** The exit statuses every command uses (ARCHITECTURE.md, "Command line"). */
public final class ExitCode {
  /** Success, or clean. */
  public static final int OK = 0;

  /** The check ran and failed: malformed file, tampered model, bad signature, dangerous finding. */
  public static final int CHECK_FAILED = 1;

  /** Could not run: usage, I/O error, missing input. */
  public static final int CANNOT_RUN = 2;

  /** Nothing to check: no weight files found, nothing scanned. */
  public static final int NOTHING_TO_CHECK = 3;

  private ExitCode() {}
}
