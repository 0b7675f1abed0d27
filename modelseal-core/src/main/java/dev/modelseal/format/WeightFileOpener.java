package dev.modelseal.format;

import java.io.IOException;
import java.util.Optional;

/**
 * Opens a model file as a weight file when its magic bytes say it is one. This is the seam through
 * which hashing reaches the readers: the digest engine opens every file once as a {@link
 * ModelFile}, asks the opener for its structure, and hashes file bytes and tensor bytes through
 * that same {@link ModelFile}.
 */
@FunctionalInterface
public interface WeightFileOpener {
  /**
   * Reads {@code file}'s structure.
   *
   * @return the validated weight file, which takes over {@code file} (closing it closes {@code
   *     file}); empty when {@code file} is not in any weight-file format (a config or tokenizer
   *     file, for example), in which case {@code file} stays open and owned by the caller
   * @throws FormatException the file is in a weight-file format but breaks one of its rules
   */
  Optional<WeightFile> open(ModelFile file, ParseLimits limits) throws IOException, FormatException;
}
