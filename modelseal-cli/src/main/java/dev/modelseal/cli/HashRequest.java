package dev.modelseal.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@code modelseal hash} was asked to do, however its command line was parsed (by picocli in
 * {@link HashCommand}, or by the start-up path {@link HashArgs}).
 *
 * @param shardSize bytes per shard, or empty for one digest per file
 * @param ignore paths to leave out, relative to the model, in the order given
 */
record HashRequest(
    Path path,
    boolean tensors,
    OptionalLong shardSize,
    boolean json,
    List<String> ignore,
    boolean allowSymlinks,
    boolean debug) {
  HashRequest {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(shardSize, "shardSize");
    ignore = List.copyOf(ignore);
  }
}
