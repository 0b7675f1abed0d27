package dev.modelseal.format;

import dev.modelseal.ModelSealException;
import dev.modelseal.OneLine;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A weight file broke a structural rule. The message is one line naming the file, the rule and the
 * location (byte offset or tensor), suitable for printing as it is.
 */
public class FormatException extends ModelSealException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;
  private final String location;

  /**
   * @param rule stable rule name, e.g. {@code safetensors.offsets-not-contiguous}
   * @param file the file, or null when parsing bytes with no file behind them
   * @param offset byte offset in the file where the problem was found, or -1 if not applicable
   * @param location tensor or member name, or null
   * @param detail what is wrong, in a few words
   */
  public FormatException(String rule, Path file, long offset, String location, String detail) {
    super(rule, format(rule, file, offset, location, detail));
    this.file = file;
    this.offset = offset;
    this.location = location;
  }

  public FormatException(
      String rule, Path file, long offset, String location, String detail, Throwable cause) {
    super(rule, format(rule, file, offset, location, detail), cause);
    this.file = file;
    this.offset = offset;
    this.location = location;
  }

  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** Byte offset of the problem, or -1. */
  public long offset() {
    return offset;
  }

  /** Tensor or member the problem concerns, if any. */
  public Optional<String> location() {
    return Optional.ofNullable(location);
  }

  private static String format(
      String rule, Path file, long offset, String location, String detail) {
    StringBuilder sb = new StringBuilder();
    if (file != null) {
      sb.append(file).append(": ");
    }
    sb.append('[').append(rule).append("] ").append(detail);
    if (location != null) {
      sb.append(" (tensor/member '").append(sanitize(location)).append("')");
    }
    if (offset >= 0) {
      sb.append(" at offset ").append(offset);
    }
    return sb.toString();
  }

  /** Names come from hostile files: keep the message one printable line. */
  static String sanitize(String s) {
    return OneLine.of(s, 200);
  }
}
