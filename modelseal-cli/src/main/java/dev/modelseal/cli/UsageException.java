package dev.modelseal.cli;

/**
 * The arguments parsed but cannot be used together with the input (exit 2, like any usage error).
 * Commands turn it into picocli's usage error, so the message comes with the usage help.
 */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
