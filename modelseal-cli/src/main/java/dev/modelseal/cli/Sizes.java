package dev.modelseal.cli;

import dev.modelseal.OneLine;
import java.util.Locale;

/** Human-readable sizes and clipped strings for terminal output. */
final class Sizes {
  private Sizes() {}

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /**
   * Shortens {@code s} to {@code max} characters and escapes control characters (hostile names).
   */
  static String clip(String s, int max) {
    return OneLine.of(s, max);
  }
}
