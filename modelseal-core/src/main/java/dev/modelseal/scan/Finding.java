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
 */
public record Finding(
    String rule, Severity severity, String file, String location, String subject, String message) {
  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(file, "file");
    location = Text.oneLine(Objects.requireNonNull(location, "location"));
    subject = Text.oneLine(Objects.requireNonNull(subject, "subject"));
    message = Text.oneLine(Objects.requireNonNull(message, "message"));
  }

  /** The same finding attributed to another file (used when a caller scans text it extracted). */
  public Finding withFile(String newFile) {
    return new Finding(rule, severity, newFile, location, subject, message);
  }
}
