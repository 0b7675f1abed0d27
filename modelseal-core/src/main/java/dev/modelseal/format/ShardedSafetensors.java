package dev.modelseal.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a sharded safetensors folder (Hugging Face / mlx-lm) against its index, {@code
 * model.safetensors.index.json} or any {@code *.safetensors.index.json}: {@code
 * {"metadata":{"total_size":N, ...},"weight_map":{"tensor":"file", ...}}} (FORMATS.md, "Sharded
 * folders").
 *
 * <p>Rules (errors):
 *
 * <ul>
 *   <li>{@code shards.index-not-object}, {@code shards.weight-map-missing}, {@code
 *       shards.weight-map-not-string-map}: the index's shape; the index JSON itself follows {@link
 *       StrictJson} under the prefix {@code shards.index} (e.g. {@code shards.index-duplicate-key})
 *       and may be at most {@link ParseLimits#maxJsonFileBytes()} long;
 *   <li>{@code shards.file-name-not-plain}: the index names only plain file names (no {@code /},
 *       {@code \}, {@code :}, control characters, {@code .}, {@code ..}, trailing dot or space);
 *   <li>{@code shards.file-missing}: a named file is not in the folder; {@code
 *       shards.shard-not-read}: it is there but was not given as a validated safetensors file;
 *   <li>{@code shards.tensor-not-in-index}, {@code shards.tensor-wrong-file}, {@code
 *       shards.indexed-tensor-missing}: the shards' tensors and the weight map must agree exactly;
 *   <li>{@code shards.tensor-in-two-shards}: no tensor may be stored twice (loaders keep whichever
 *       file they read last);
 *   <li>{@code shards.unindexed-file}: no {@code model*.safetensors} in the folder that the index
 *       does not name — mlx-lm loads every file matching that glob and ignores the index, so a
 *       stray file is an injection path. Matched case-insensitively, symlinks included.
 * </ul>
 *
 * <p>Warnings: {@code shards.total-size-missing}, {@code shards.total-size-invalid}, {@code
 * shards.total-size-mismatch} (real indexes omit it or carry stale values; it should equal the sum
 * of the shards' tensor bytes), {@code shards.index-metadata-not-object}, {@code
 * shards.index-unknown-key}.
 */
public final class ShardedSafetensors {
  /** The index name Hugging Face and mlx-lm write. */
  public static final String INDEX_FILE_NAME = "model.safetensors.index.json";

  private static final String INDEX_SUFFIX = ".safetensors.index.json";

  private ShardedSafetensors() {}

  /** True for {@code <something>.safetensors.index.json}. */
  public static boolean isIndexFileName(String fileName) {
    return fileName.length() > INDEX_SUFFIX.length() && fileName.endsWith(INDEX_SUFFIX);
  }

  /**
   * Checks {@code folder}'s shard set as described by {@code indexFile}.
   *
   * @param shardsByFileName the folder's safetensors files that were read successfully, keyed by
   *     plain file name; the shards the index names are looked up here (files that failed to read
   *     are reported as {@code shards.shard-not-read})
   * @throws IOException if the index or the folder cannot be read at all
   */
  public static ShardCheck check(
      Path folder,
      Path indexFile,
      Map<String, SafetensorsFile> shardsByFileName,
      ParseLimits limits)
      throws IOException {
    return new Check(folder, indexFile, shardsByFileName, limits).run();
  }

  /** A name that stays inside the folder on every platform and means the same file everywhere. */
  static boolean isPlainFileName(String name) {
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      return false;
    }
    // Windows drops a trailing dot or space, so "x.safetensors." would name "x.safetensors".
    char last = name.charAt(name.length() - 1);
    if (last == '.' || last == ' ') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\' || c == ':' || c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** mlx-lm's {@code glob("model*.safetensors")}, case-insensitively to be safe on macOS. */
  static boolean matchesMlxGlob(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.startsWith("model") && lower.endsWith(".safetensors");
  }

  /** The state of one check. */
  private static final class Check {
    private final Path folder;
    private final Path indexFile;
    private final Map<String, SafetensorsFile> shards;
    private final ParseLimits limits;
    private final List<FormatException> errors = new ArrayList<>();
    private final List<Problem> warnings = new ArrayList<>();
    private final Set<String> referenced = new LinkedHashSet<>();
    private final Map<String, String> tensorFiles = new TreeMap<>();
    private Long totalSize;

    Check(Path folder, Path indexFile, Map<String, SafetensorsFile> shards, ParseLimits limits) {
      this.folder = folder;
      this.indexFile = indexFile;
      this.shards = shards;
      this.limits = limits;
    }

    ShardCheck run() throws IOException {
      Map<String, String> weightMap = readIndex();
      if (weightMap != null) {
        Set<String> usable = checkFiles(weightMap);
        checkTensors(weightMap, usable);
        checkStrayFiles();
        checkTotalSize(usable);
      }
      return new ShardCheck(indexFile, List.copyOf(referenced), tensorFiles, errors, warnings);
    }

    /** The weight map in index order, or null if the index is unusable (errors recorded). */
    private Map<String, String> readIndex() throws IOException {
      JsonNode root;
      try {
        root = StrictJson.parse(indexBytes(), limits, indexFile, "shards.index");
      } catch (FormatException e) {
        errors.add(e);
        return null;
      }
      if (!root.isObject()) {
        errors.add(indexError("shards.index-not-object", "the index is not a JSON object"));
        return null;
      }
      for (Map.Entry<String, JsonNode> property : root.properties()) {
        String key = property.getKey();
        if (!key.equals("metadata") && !key.equals("weight_map")) {
          warnings.add(
              new Problem(
                  "shards.index-unknown-key",
                  indexFile
                      + ": unknown key '"
                      + FormatException.sanitize(key)
                      + "' in the index"));
        }
      }
      readTotalSizeWarnings(root.get("metadata"));
      JsonNode map = root.get("weight_map");
      if (map == null) {
        errors.add(indexError("shards.weight-map-missing", "the index has no weight_map"));
        return null;
      }
      if (!map.isObject()) {
        errors.add(
            indexError("shards.weight-map-not-string-map", "weight_map is not a JSON object"));
        return null;
      }
      Map<String, String> weightMap = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : map.properties()) {
        if (!e.getValue().isTextual()) {
          errors.add(
              new FormatException(
                  "shards.weight-map-not-string-map",
                  indexFile,
                  -1,
                  e.getKey(),
                  "weight_map value is not a file name string"));
          continue;
        }
        weightMap.put(e.getKey(), e.getValue().textValue());
      }
      return weightMap;
    }

    private byte[] indexBytes() throws IOException, FormatException {
      try (ModelFile file = ModelFile.open(indexFile)) {
        ParseLimits.check(
            "max-json-file-bytes", file.size(), limits.maxJsonFileBytes(), indexFile, -1, null);
        return file.segment().toArray(ValueLayout.JAVA_BYTE);
      }
    }

    private void readTotalSizeWarnings(JsonNode metadata) {
      if (metadata == null) {
        warn("shards.total-size-missing", "the index has no metadata.total_size");
        return;
      }
      if (!metadata.isObject()) {
        warn("shards.index-metadata-not-object", "the index's metadata is not a JSON object");
        return;
      }
      JsonNode size = metadata.get("total_size");
      if (size == null) {
        warn("shards.total-size-missing", "the index has no metadata.total_size");
      } else if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
        warn(
            "shards.total-size-invalid",
            "metadata.total_size is not a non-negative integer: "
                + FormatException.sanitize(size.toString()));
      } else {
        totalSize = size.longValue();
      }
    }

    /** Checks the named files; returns those that are present as validated shards. */
    private Set<String> checkFiles(Map<String, String> weightMap) throws IOException {
      referenced.addAll(weightMap.values());
      Set<String> usable = new TreeSet<>();
      for (String name : referenced) {
        if (!isPlainFileName(name)) {
          errors.add(
              new FormatException(
                  "shards.file-name-not-plain",
                  indexFile,
                  -1,
                  null,
                  "weight_map names '"
                      + FormatException.sanitize(name)
                      + "', not a plain file name in the folder"));
          continue;
        }
        if (shards.containsKey(name)) {
          usable.add(name);
          continue;
        }
        Path p = folder.resolve(name);
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          errors.add(
              new FormatException(
                  "shards.file-missing",
                  p,
                  -1,
                  null,
                  "the index names a file that does not exist"));
          continue;
        }
        String kind =
            a.isSymbolicLink()
                ? "a symbolic link"
                : a.isDirectory() ? "a directory" : a.isRegularFile() ? "a file" : "a special file";
        errors.add(
            new FormatException(
                "shards.shard-not-read",
                p,
                -1,
                null,
                "the index names " + kind + " that was not read as a valid safetensors file"));
      }
      return usable;
    }

    private void checkTensors(Map<String, String> weightMap, Set<String> usable) {
      for (String file : usable) {
        SafetensorsFile shard = shards.get(file);
        for (TensorInfo t : shard.tensors()) {
          String earlier = tensorFiles.putIfAbsent(t.name(), file);
          if (earlier != null) {
            errors.add(
                new FormatException(
                    "shards.tensor-in-two-shards",
                    shard.path(),
                    t.offset(),
                    t.name(),
                    "tensor is also stored in " + FormatException.sanitize(earlier)));
            continue;
          }
          String indexed = weightMap.get(t.name());
          if (indexed == null) {
            errors.add(
                new FormatException(
                    "shards.tensor-not-in-index",
                    shard.path(),
                    t.offset(),
                    t.name(),
                    "tensor is not in the index's weight_map"));
          } else if (!indexed.equals(file)) {
            errors.add(
                new FormatException(
                    "shards.tensor-wrong-file",
                    shard.path(),
                    t.offset(),
                    t.name(),
                    "the index places this tensor in " + FormatException.sanitize(indexed)));
          }
        }
      }
      for (Map.Entry<String, String> e : weightMap.entrySet()) {
        SafetensorsFile shard = shards.get(e.getValue());
        if (usable.contains(e.getValue()) && shard.tensor(e.getKey()).isEmpty()) {
          errors.add(
              new FormatException(
                  "shards.indexed-tensor-missing",
                  shard.path(),
                  -1,
                  e.getKey(),
                  "the index lists this tensor in this shard, which does not contain it"));
        }
      }
    }

    private void checkStrayFiles() throws IOException {
      Set<String> strays = new TreeSet<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
        for (Path p : entries) {
          String name = p.getFileName().toString();
          if (matchesMlxGlob(name)
              && !referenced.contains(name)
              && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            strays.add(name);
          }
        }
      }
      for (String name : strays) {
        errors.add(
            new FormatException(
                "shards.unindexed-file",
                folder.resolve(name),
                -1,
                null,
                "not named by the index, yet mlx-lm loads every model*.safetensors file"));
      }
    }

    private void checkTotalSize(Set<String> usable) {
      if (totalSize == null || usable.size() != referenced.size()) {
        return; // missing shards are errors already; a sum over part of the set means nothing
      }
      long sum = 0;
      try {
        for (String file : usable) {
          for (TensorInfo t : shards.get(file).tensors()) {
            sum = Math.addExact(sum, t.nbytes());
          }
        }
      } catch (ArithmeticException e) {
        sum = -1; // sparse files can claim exabytes; such a sum matches no total_size
      }
      if (sum != totalSize) {
        warn(
            "shards.total-size-mismatch",
            "metadata.total_size is "
                + totalSize
                + " but the shards hold "
                + (sum < 0 ? "more than 2^63-1" : Long.toString(sum))
                + " tensor bytes");
      }
    }

    private FormatException indexError(String rule, String detail) {
      return new FormatException(rule, indexFile, -1, null, detail);
    }

    private void warn(String rule, String detail) {
      warnings.add(new Problem(rule, indexFile + ": " + detail));
    }
  }
}
