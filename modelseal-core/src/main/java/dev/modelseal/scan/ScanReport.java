package dev.modelseal.scan;

import java.util.List;
import java.util.Objects;

/**
 * Everything one scan found: a report per file, in path order.
 *
 * @param root the path that was scanned, as given
 * @param files one report per file met
 */
public record ScanReport(String root, List<FileReport> files) {
  public ScanReport {
    Objects.requireNonNull(root, "root");
    files = List.copyOf(files);
  }

  /** Every finding of every file, in file order. */
  public List<Finding> findings() {
    return files.stream().flatMap(f -> f.findings().stream()).toList();
  }

  public long count(FileStatus status) {
    return files.stream().filter(f -> f.status() == status).count();
  }

  /** True when some finding is {@code threshold} or worse. */
  public boolean hasFindingsAtLeast(Severity threshold) {
    return findings().stream().anyMatch(f -> f.severity().atLeast(threshold));
  }

  public long countFindings(Severity severity) {
    return findings().stream().filter(f -> f.severity() == severity).count();
  }

  /**
   * The scanner's verdict under {@code failOn}: failed files and findings at or above the threshold
   * fail; a scan that analysed nothing is {@link Verdict#NOTHING_SCANNED}.
   */
  public Verdict verdict(Severity failOn) {
    if (count(FileStatus.FAILED) > 0 || hasFindingsAtLeast(failOn)) {
      return Verdict.FINDINGS;
    }
    if (count(FileStatus.SCANNED) == 0) {
      return Verdict.NOTHING_SCANNED;
    }
    return Verdict.CLEAN;
  }

  /** The outcome of a scan as a whole. */
  public enum Verdict {
    CLEAN,
    FINDINGS,
    NOTHING_SCANNED
  }
}
