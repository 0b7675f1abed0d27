package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.WeightFileOpener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code modelseal hash PATH [--tensors] [--shard-size N] [--json]}: picocli's view of the command
 * (options, help text); the work is {@link HashRun}. Plain invocations skip picocli through {@link
 * HashArgs}, which must accept nothing this class would parse differently.
 */
@Command(
    name = "hash",
    mixinStandardHelpOptions = true,
    description = {
      "Digests a model folder or file as OpenSSF Model Signing does: one SHA-256 per file, or per"
          + " shard with --shard-size, and the root digest over them.",
      "With --tensors, also the canonical digest of every tensor (CTD-1) and of every weight file"
          + " and sharded set (CTM-1), the same whichever format stores them."
    })
final class HashCommand implements Callable<Integer> {
  @Mixin DebugOption debug;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model folder or single file.")
  Path path;

  @Option(names = "--tensors", description = "Also digest every tensor of every weight file.")
  boolean tensors;

  @Option(
      names = "--shard-size",
      paramLabel = "N",
      description = "Digest each file in pieces of N bytes (OMS 'shards' method).")
  Long shardSize;

  @Option(names = "--json", description = "Machine-readable output (see README).")
  boolean json;

  @Option(
      names = "--ignore",
      paramLabel = "P",
      description = "Leave out this path (relative to the model, a whole-path prefix).")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--allow-symlinks",
      description = "Follow symbolic links that stay inside the model.")
  boolean allowSymlinks;

  private final WeightFileOpener readers;

  HashCommand() {
    this(WeightReaders.installed());
  }

  HashCommand(WeightFileOpener readers) {
    this.readers = readers;
  }

  @Override
  public Integer call() throws IOException, ModelSealException {
    try {
      return HashRun.run(
          request(), readers, spec.commandLine().getOut(), spec.commandLine().getErr());
    } catch (UsageException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** What the parsed options ask for. */
  HashRequest request() {
    return new HashRequest(
        path,
        tensors,
        shardSize == null ? OptionalLong.empty() : OptionalLong.of(shardSize),
        json,
        ignore,
        allowSymlinks,
        debug.debug);
  }
}
