package dev.modelseal.manifest;

import dev.modelseal.ModelSealException;
import dev.modelseal.digest.ByteRange;
import dev.modelseal.digest.DigestEngine;
import dev.modelseal.digest.FileCapture;
import dev.modelseal.digest.FileDigests;
import dev.modelseal.digest.FileRequest;
import dev.modelseal.digest.HashAlgorithm;
import dev.modelseal.digest.TensorDigest;
import dev.modelseal.digest.TensorDigests;
import dev.modelseal.format.LimitExceededException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFileOpener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Computes a model's {@link Manifest}: one SHA-256 per file ({@code files}) or per {@code
 * [start,end)} piece ({@code shards}), and on request the CTD-1 of every tensor and the CTM-1 of
 * every weight file and sharded set, with the {@link DigestEngine} (all cores, memory independent
 * of model size, each file opened once and re-checked after hashing so a file changed mid-hash is
 * an error).
 */
public final class ModelHasher {
  /** OMS default shard size. */
  public static final long DEFAULT_SHARD_SIZE = 1_000_000_000L;

  /**
   * Most resources a manifest may have: a shard size far too small for the model would otherwise
   * exhaust memory (and make a statement no verifier could read) before hashing began.
   */
  public static final long MAX_RESOURCES = 10_000_000L;

  /** {@code <prefix>-<i>-of-<n>.<ext>}, the Hugging Face / mlx-lm / llama.cpp shard names. */
  private static final Pattern SHARD_NAME =
      Pattern.compile("(.*)-(\\d{1,9})-of-(\\d{1,9})\\.(\\w+)");

  private final SerializationMethod method;
  private final long shardSize;
  private final List<String> ignorePaths;
  private final boolean allowSymlinks;
  private final int threads;
  private final HashProgress progress;
  private final WeightFileOpener weightFiles;
  private final ParseLimits limits;
  private final Function<ModelEntry, FileCapture> capture;

  private ModelHasher(Builder b) {
    this.capture = b.capture;
    this.method = b.method;
    this.shardSize = b.shardSize;
    this.ignorePaths = List.copyOf(b.ignorePaths);
    this.allowSymlinks = b.allowSymlinks;
    this.threads = b.threads;
    this.progress = b.progress;
    this.weightFiles = b.weightFiles;
    this.limits = b.limits;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Enumerates and hashes {@code model} (a folder or a single file). */
  public Manifest hash(Path model) throws IOException, ModelSealException {
    return hash(ModelTree.enumerate(model, ignorePaths, allowSymlinks));
  }

  /** Hashes an already enumerated tree (file or shard digests only). */
  public Manifest hash(ModelTree tree) throws IOException, ModelSealException {
    return run(tree, false).manifest();
  }

  /**
   * Hashes an enumerated tree and, when the builder was given a {@link WeightFileOpener}, every
   * weight file's tensors, from the same reads of the bytes where the format allows.
   *
   * @throws dev.modelseal.format.FormatException a weight file is malformed, a file changed while
   *     it was hashed, or a sharded set names a tensor twice ({@code ctm1.duplicate-tensor-name})
   */
  public ModelDigests digest(ModelTree tree) throws IOException, ModelSealException {
    return run(tree, weightFiles != null);
  }

  private ModelDigests run(ModelTree tree, boolean tensors) throws IOException, ModelSealException {
    List<ModelEntry> entries = tree.entries();
    long count = resourceCount(tree);
    if (count > MAX_RESOURCES) {
      // A hostile or grown model, not a programming error: a named rule, as every limit.
      throw new LimitExceededException(
          "max-resources", count, MAX_RESOURCES, tree.root(), -1, null);
    }
    List<FileRequest> requests = new ArrayList<>(entries.size());
    for (ModelEntry e : entries) {
      requests.add(
          new FileRequest(
              e.file(),
              e.size(),
              pieces(e.size()),
              tensors,
              Objects.requireNonNull(capture.apply(e), "capture")));
    }
    long total = tree.totalBytes();
    AtomicLong done = new AtomicLong();
    DigestEngine.Builder engine =
        DigestEngine.builder()
            .threads(Math.max(1, threads))
            .progress(n -> progress.update(done.addAndGet(n), total));
    if (tensors) {
      engine.weightFiles(weightFiles, limits);
    }
    List<FileDigests> results = engine.build().digest(requests);

    List<ResourceDigest> resources = new ArrayList<>();
    List<WeightFileTensors> weights = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      ModelEntry e = entries.get(i);
      FileDigests d = results.get(i);
      List<ByteRange> ranges = requests.get(i).ranges();
      for (int r = 0; r < ranges.size(); r++) {
        resources.add(new ResourceDigest(resourceName(e.name(), ranges.get(r)), d.ranges().get(r)));
      }
      d.tensors().ifPresent(t -> weights.add(new WeightFileTensors(e.name(), t)));
    }
    Manifest manifest =
        new Manifest(
            method,
            method == SerializationMethod.SHARDS
                ? OptionalLong.of(shardSize)
                : OptionalLong.empty(),
            HashAlgorithm.SHA256,
            resources,
            ignorePaths,
            allowSymlinks);
    return new ModelDigests(manifest, weights, tensorSets(weights));
  }

  /**
   * How many resources hashing {@code tree} makes; counting stops just past {@link #MAX_RESOURCES},
   * so it never overflows.
   */
  public long resourceCount(ModelTree tree) {
    if (method == SerializationMethod.FILES) {
      return tree.entries().size();
    }
    long n = 0;
    for (ModelEntry e : tree.entries()) {
      n += e.size() / shardSize + (e.size() % shardSize == 0 ? 0 : 1);
      if (n > MAX_RESOURCES) {
        return n;
      }
    }
    return n;
  }

  /** The ranges digested for a file of {@code size} bytes under this hasher's method. */
  List<ByteRange> pieces(long size) {
    if (method == SerializationMethod.FILES) {
      return List.of(new ByteRange(0, size));
    }
    List<ByteRange> out = new ArrayList<>();
    for (long start = 0; start < size; ) {
      long end = size - start > shardSize ? start + shardSize : size;
      out.add(new ByteRange(start, end));
      start = end;
    }
    return out;
  }

  private String resourceName(String file, ByteRange r) {
    return method == SerializationMethod.FILES ? file : file + ":" + r.start() + ":" + r.end();
  }

  /** CTM-1 per weight file, then per complete sharded set ({@code -00001-of-0000N} names). */
  static List<TensorSet> tensorSets(List<WeightFileTensors> weights) throws ModelSealException {
    List<TensorSet> sets = new ArrayList<>();
    Map<String, TreeMap<Integer, WeightFileTensors>> shardGroups = new LinkedHashMap<>();
    Map<String, Integer> groupTotals = new LinkedHashMap<>();
    for (WeightFileTensors w : weights) {
      sets.add(new TensorSet(w.path(), List.of(w.path()), TensorDigests.ctm1(w.tensors())));
      Matcher m = SHARD_NAME.matcher(w.path());
      if (!m.matches()) {
        continue;
      }
      int index = Integer.parseInt(m.group(2));
      int count = Integer.parseInt(m.group(3));
      if (count < 2 || index < 1 || index > count) {
        continue;
      }
      String key = m.group(1) + "-*-of-" + m.group(3) + "." + m.group(4);
      shardGroups.computeIfAbsent(key, k -> new TreeMap<>()).put(index, w);
      groupTotals.put(key, count);
    }
    for (Map.Entry<String, TreeMap<Integer, WeightFileTensors>> g : shardGroups.entrySet()) {
      TreeMap<Integer, WeightFileTensors> members = g.getValue();
      int count = Objects.requireNonNull(groupTotals.get(g.getKey()));
      // Only a complete set is one model's tensors; a partial one is reported per file only.
      if (members.size() != count || members.firstKey() != 1 || members.lastKey() != count) {
        continue;
      }
      List<TensorDigest> all = new ArrayList<>();
      List<String> files = new ArrayList<>();
      for (WeightFileTensors w : members.values()) {
        all.addAll(w.tensors());
        files.add(w.path());
      }
      sets.add(new TensorSet(g.getKey(), files, TensorDigests.ctm1(all)));
    }
    return sets;
  }

  /**
   * Builds a {@link ModelHasher}; defaults: files method, no ignores, no symlinks, all cores, no
   * tensor digests.
   */
  public static final class Builder {
    private SerializationMethod method = SerializationMethod.FILES;
    private long shardSize = DEFAULT_SHARD_SIZE;
    private List<String> ignorePaths = List.of();
    private boolean allowSymlinks;
    private int threads = Runtime.getRuntime().availableProcessors();
    private HashProgress progress = HashProgress.NONE;
    private WeightFileOpener weightFiles;
    private ParseLimits limits = ParseLimits.defaults();
    private Function<ModelEntry, FileCapture> capture = e -> FileCapture.NONE;

    private Builder() {}

    /**
     * What to do with each file's bytes besides hashing them ({@link FileCapture}); files are then
     * hashed without tensor digests.
     */
    public Builder capture(Function<ModelEntry, FileCapture> perFile) {
      this.capture = Objects.requireNonNull(perFile, "perFile");
      return this;
    }

    public Builder method(SerializationMethod m) {
      this.method = Objects.requireNonNull(m, "method");
      return this;
    }

    /** Selects the shards method with pieces of {@code size} bytes. */
    public Builder shards(long size) {
      if (size <= 0) {
        throw new IllegalArgumentException("shard size must be positive");
      }
      this.method = SerializationMethod.SHARDS;
      this.shardSize = size;
      return this;
    }

    public Builder ignorePaths(List<String> paths) {
      this.ignorePaths = List.copyOf(paths);
      return this;
    }

    public Builder allowSymlinks(boolean allow) {
      this.allowSymlinks = allow;
      return this;
    }

    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    public Builder progress(HashProgress p) {
      this.progress = Objects.requireNonNull(p, "progress");
      return this;
    }

    /**
     * Also computes tensor digests ({@link #digest}), opening weight files with {@code opener}
     * under {@code limits}.
     */
    public Builder tensors(WeightFileOpener opener, ParseLimits limits) {
      this.weightFiles = Objects.requireNonNull(opener, "opener");
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public ModelHasher build() {
      return new ModelHasher(this);
    }
  }
}
