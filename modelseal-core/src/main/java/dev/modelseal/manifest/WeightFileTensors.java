package dev.modelseal.manifest;

import dev.modelseal.digest.TensorDigest;
import java.util.List;
import java.util.Objects;

/**
 * The tensor digests of one weight file of a model.
 *
 * @param path the file's name in the manifest (relative, {@code /}-separated; the basename for a
 *     single-file model)
 * @param tensors CTD-1 of every tensor, in file order
 */
public record WeightFileTensors(String path, List<TensorDigest> tensors) {
  public WeightFileTensors {
    Objects.requireNonNull(path, "path");
    tensors = List.copyOf(tensors);
  }
}
