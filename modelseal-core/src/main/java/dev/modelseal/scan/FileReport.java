package dev.modelseal.scan;

import java.util.List;
import java.util.Objects;

/**
 * The outcome for one file.
 *
 * @param path relative path with {@code /} separators (the file name for a single file)
 * @param kind what the file was identified as, e.g. {@code pickle}, {@code pytorch-zip}
 * @param status scanned, skipped or failed
 * @param reason why it was skipped or failed; empty when scanned
 * @param findings what was found in it, in the order found
 */
public record FileReport(
    String path, String kind, FileStatus status, String reason, List<Finding> findings) {
  public FileReport {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(status, "status");
    reason = Text.oneLine(Objects.requireNonNull(reason, "reason"));
    findings = List.copyOf(findings);
  }
}
