package dev.modelseal.bench;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.manifest.ModelDigests;
import dev.modelseal.manifest.ModelHasher;
import dev.modelseal.manifest.ModelTree;
import dev.modelseal.manifest.WeightFileTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code HashTensorsBench PATH [--tensors]}: what {@code modelseal hash [--tensors]} does, with a
 * minimal safetensors opener standing in for the real reader, so bench-hash.sh can compare the CPU
 * cost of tensor digests with files-only hashing through the same start-up path before the readers
 * are merged.
 */
public final class HashTensorsBench {
  private HashTensorsBench() {}

  public static void main(String[] args) throws IOException, ModelSealException {
    Path path = Path.of(args[0]);
    boolean tensors = args.length > 1 && args[1].equals("--tensors");
    ModelHasher.Builder b = ModelHasher.builder();
    if (tensors) {
      b.tensors(MinimalSafetensors.opener(), ParseLimits.defaults());
    }
    ModelDigests d = b.build().digest(ModelTree.enumerate(path, List.of(), false));
    int count = 0;
    for (WeightFileTensors w : d.weightFiles()) {
      count += w.tensors().size();
    }
    System.out.println("root " + d.manifest().rootDigest() + " tensors " + count);
    if (!d.tensorSets().isEmpty()) {
      System.out.println("ctm1 " + d.tensorSets().getFirst().ctm1());
    }
  }
}
