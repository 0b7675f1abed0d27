package dev.modelseal.format;

import java.util.Objects;

/**
 * A non-fatal observation about a file that is still valid (for example a safetensors header that
 * starts with whitespace, or an npy header whose key order makes MLX read it differently). Fatal
 * problems are {@link FormatException}s.
 *
 * @param rule stable rule name
 * @param message one line, naming the location
 */
public record Problem(String rule, String message) {
  public Problem {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
  }
}
