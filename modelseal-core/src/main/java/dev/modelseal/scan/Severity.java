package dev.modelseal.scan;

import java.util.Locale;

/** How bad a finding is, most severe first. */
public enum Severity {
  CRITICAL(4),
  HIGH(3),
  MEDIUM(2),
  LOW(1),
  INFO(0);

  private final int rank;

  Severity(int rank) {
    this.rank = rank;
  }

  /** Lower-case name as used on the command line and in JSON. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when this severity is {@code other} or worse. */
  public boolean atLeast(Severity other) {
    return rank >= other.rank;
  }

  /** Parses {@code critical|high|medium|low|info}, case-insensitively. */
  public static Severity parse(String s) {
    for (Severity v : values()) {
      if (v.id().equalsIgnoreCase(s.trim())) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown severity '" + s + "' (expected critical, high, medium, low or info)");
  }
}
