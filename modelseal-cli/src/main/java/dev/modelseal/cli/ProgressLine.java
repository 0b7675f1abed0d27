package dev.modelseal.cli;

import dev.modelseal.manifest.HashProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * One self-overwriting line on a terminal: bytes done / total, rate and time left. Updated at most
 * a few times a second from any thread.
 */
final class ProgressLine implements HashProgress {
  private static final long INTERVAL_NANOS = 200_000_000L;

  /** Short runs show nothing, and the first rate shown is not dominated by start-up. */
  private static final long FIRST_NANOS = 1_000_000_000L;

  private final PrintWriter err;
  private final String label;
  private final long start = System.nanoTime();
  private long lastPrint = start + FIRST_NANOS - INTERVAL_NANOS;
  private int lastWidth;

  ProgressLine(PrintWriter err, String label) {
    this.err = err;
    this.label = label;
  }

  @Override
  public synchronized void update(long done, long total) {
    long now = System.nanoTime();
    if (now - lastPrint < INTERVAL_NANOS || done >= total) {
      return;
    }
    lastPrint = now;
    double seconds = (now - start) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    long eta = rate > 0 ? Math.round((total - done) / rate) : -1;
    String line =
        String.format(
            Locale.ROOT,
            "%s %s / %s  %s/s  ETA %s",
            label,
            bytes(done),
            bytes(total),
            bytes((long) rate),
            eta < 0 ? "?" : eta + "s");
    err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
    err.flush();
    lastWidth = line.length();
  }

  /** Erases the line, if one was printed. */
  synchronized void clear() {
    if (lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
      lastWidth = 0;
    }
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
