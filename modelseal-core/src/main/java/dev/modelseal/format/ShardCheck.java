package dev.modelseal.format;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of checking a sharded safetensors folder against its index ({@link
 * ShardedSafetensors#check}). Every problem found is listed, so that a caller can report them all
 * at once; the set is valid only if {@link #errors()} is empty.
 *
 * @param indexFile the index that was checked
 * @param shardFiles the plain file names the index refers to, in order of first mention
 * @param tensorFiles every tensor found in those shards, mapped to its shard's file name, sorted by
 *     tensor name (what the shards contain, which equals the index's weight map when valid)
 * @param errors rule violations ({@code shards.*}, or the index's own JSON and limit rules)
 * @param warnings non-fatal observations (missing or wrong {@code total_size}, unknown keys)
 */
public record ShardCheck(
    Path indexFile,
    List<String> shardFiles,
    Map<String, String> tensorFiles,
    List<FormatException> errors,
    List<Problem> warnings) {

  public ShardCheck {
    Objects.requireNonNull(indexFile, "indexFile");
    shardFiles = List.copyOf(shardFiles);
    tensorFiles = Collections.unmodifiableMap(new LinkedHashMap<>(tensorFiles));
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  /** True if no rule was broken (warnings allowed). */
  public boolean valid() {
    return errors.isEmpty();
  }

  /** Throws the first error, if there is one; {@link #errors()} lists them all. */
  public void requireValid() throws FormatException {
    if (!errors.isEmpty()) {
      throw errors.getFirst();
    }
  }
}
