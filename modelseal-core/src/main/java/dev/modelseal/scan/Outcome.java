package dev.modelseal.scan;

/**
 * What scanning one piece of content came to.
 *
 * @param kind what it was identified as
 * @param status scanned, skipped or failed
 * @param reason why skipped or failed (empty when scanned)
 */
record Outcome(String kind, FileStatus status, String reason) {
  static Outcome scanned(String kind) {
    return new Outcome(kind, FileStatus.SCANNED, "");
  }

  static Outcome skipped(String kind, String reason) {
    return new Outcome(kind, FileStatus.SKIPPED, reason);
  }

  static Outcome failed(String kind, String reason) {
    return new Outcome(kind, FileStatus.FAILED, reason);
  }
}
