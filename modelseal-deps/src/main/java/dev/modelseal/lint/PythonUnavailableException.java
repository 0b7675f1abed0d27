package dev.modelseal.lint;

import java.io.IOException;

/** python3, which parses the sources, cannot be started or stopped working: lint cannot run. */
public final class PythonUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  PythonUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
