package dev.modelseal.cli;

import dev.modelseal.format.WeightFileOpener;
import dev.modelseal.format.WeightFiles;
import java.util.Optional;

/**
 * Where the command line gets its weight-file readers (format detection by magic bytes). Tests can
 * hand {@link HashCommand} another opener, or none, through this seam.
 */
final class WeightReaders {
  private WeightReaders() {}

  /** The installed opener, or empty when this build has no weight-file readers. */
  static Optional<WeightFileOpener> installed() {
    return Optional.of(WeightFiles::open);
  }
}
