package dev.modelseal.manifest;

import java.util.List;
import java.util.Objects;

/**
 * Everything {@link ModelHasher} computed for a model: the OMS manifest and, when tensor digests
 * were requested, the CTD-1 of every tensor and the CTM-1 of every weight file and sharded set.
 *
 * @param manifest the file or shard digests
 * @param weightFiles every weight file's tensors, in manifest order of the files (empty when tensor
 *     digests were not requested)
 * @param tensorSets CTM-1 per weight file, then per complete sharded set
 */
public record ModelDigests(
    Manifest manifest, List<WeightFileTensors> weightFiles, List<TensorSet> tensorSets) {
  public ModelDigests {
    Objects.requireNonNull(manifest, "manifest");
    weightFiles = List.copyOf(weightFiles);
    tensorSets = List.copyOf(tensorSets);
  }
}
