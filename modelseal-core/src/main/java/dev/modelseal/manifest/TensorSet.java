package dev.modelseal.manifest;

import dev.modelseal.digest.Digest;
import java.util.List;
import java.util.Objects;

/**
 * The CTM-1 of one weight file, or of a sharded set read as one ({@code
 * model-00001-of-00004.safetensors} ... {@code model-00004-of-00004.safetensors}).
 *
 * @param path the file's name, or for a sharded set the pattern {@code
 *     model-*-of-00004.safetensors}
 * @param files the member files, in shard order
 * @param ctm1 CTM-1 over all tensors of the files (their names must be unique across the set)
 */
public record TensorSet(String path, List<String> files, Digest ctm1) {
  public TensorSet {
    Objects.requireNonNull(path, "path");
    files = List.copyOf(files);
    Objects.requireNonNull(ctm1, "ctm1");
  }
}
