package dev.modelseal.scan;

import java.util.Locale;

/** What became of one file. A file that failed is never clean. */
public enum FileStatus {
  /** Read whole and analysed. */
  SCANNED,
  /** Not analysed; the report says why. */
  SKIPPED,
  /** Could not be parsed (or only in part); its findings so far are reported, it is not clean. */
  FAILED;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
