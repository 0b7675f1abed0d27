package dev.modelseal.scan;

import java.util.Objects;

/**
 * One thing the scanner found.
 *
 * @param rule stable rule id such as {@code pickle.dangerous-import}; suppress by this id
 * @param severity how bad it is
 * @param file the file, relative to the scanned folder with {@code /} separators (or the file name
 *     when a single file was scanned)
 * @param location where inside the file: archive member, opcode offset, JSON key; empty when the
 *     finding concerns the whole file
 * @param subject the import, pattern or key concerned; empty when there is none
 * @param message one line saying why this matters
 * @param line 1-based line in a source file; 0 when the finding has no line
 * @param column 1-based column on that line; 0 when none
 * @param fix what to do about it: a command or the safe form of the code; empty when none
 */
public record Finding(
    String rule,
    Severity severity,
    String file,
    String location,
    String subject,
    String message,
    int line,
    int column,
    String fix) {
  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(file, "file");
    location = Text.oneLine(Objects.requireNonNull(location, "location"));
    subject = Text.oneLine(Objects.requireNonNull(subject, "subject"));
    message = Text.oneLine(Objects.requireNonNull(message, "message"));
    fix = Text.oneLine(Objects.requireNonNull(fix, "fix"));
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column are 1-based, or 0 for none");
    }
  }

  /** A finding without a line, column or fix (the scanner's findings inside binary files). */
  public Finding(
      String rule,
      Severity severity,
      String file,
      String location,
      String subject,
      String message) {
    this(rule, severity, file, location, subject, message, 0, 0, "");
  }

  /** The same finding attributed to another file (used when a caller scans text it extracted). */
  public Finding withFile(String newFile) {
    return new Finding(rule, severity, newFile, location, subject, message, line, column, fix);
  }
}
