package dev.modelseal.cli;

import dev.modelseal.format.WeightFileOpener;
import dev.modelseal.format.WeightFiles;

/**
 * Where the command line gets its weight-file readers (format detection by magic bytes). Tests can
 * hand {@link Main#run(String[], java.io.PrintWriter, java.io.PrintWriter, WeightFileOpener)}
 * another opener through this seam.
 */
final class WeightReaders {
  private WeightReaders() {}

  /** The readers of every supported format. */
  static WeightFileOpener installed() {
    return WeightFiles::open;
  }
}
