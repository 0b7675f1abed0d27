package dev.modelseal.guard;

import dev.modelseal.digest.FileCapture;
import dev.modelseal.format.LimitExceededException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.manifest.HashProgress;
import dev.modelseal.manifest.ModelEntry;
import dev.modelseal.manifest.ModelTree;
import dev.modelseal.manifest.ResourceDigest;
import dev.modelseal.manifest.SerializationMethod;
import dev.modelseal.oms.ModelVerifier;
import dev.modelseal.oms.TrustPolicy;
import dev.modelseal.oms.VerificationException;
import dev.modelseal.oms.VerifiedModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies a model and hands over the bytes it verified, then keeps them under watch: the runtime
 * guard. Each file is opened once, without following links, and hashed; the resulting {@link
 * GuardedModel} serves exactly those bytes, so a file swapped or rewritten after verification
 * cannot reach the consumer unnoticed.
 *
 * <pre>{@code
 * ModelGuard guard = ModelGuard.builder(policy).mode(Mode.VERIFIED_COPY).build();
 * try (GuardedModel m = guard.open(modelDir, signature)) {
 *   WeightFile w = m.file("model.safetensors").orElseThrow().weights().orElseThrow();
 *   ...
 * }
 * }</pre>
 *
 * Built once, immutable, thread-safe.
 */
public final class ModelGuard {
  /** How the verified bytes are handed over. */
  public enum Mode {
    /**
     * Each file is read once into private anonymous memory and that copy is hashed and served: what
     * was verified is what is used, whatever happens to the storage afterwards. Costs the model's
     * size in memory. The only safe mode when anyone untrusted can write the storage.
     */
    VERIFIED_COPY,
    /**
     * Zero copy: views are the read-only mapping of the channel that was hashed, whose size,
     * modification time and file key are re-checked after hashing. Anyone who can write the file
     * can change the mapped bytes under the consumer (the guard then reports it, after the fact),
     * and truncating it makes reads fault. Safe only for storage no untrusted party can write.
     */
    MAPPED
  }

  /** Default share of one core for re-verification. */
  public static final double DEFAULT_BUDGET = 0.05;

  /** Default shortest time between the starts of two re-verification passes. */
  public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(1);

  private final ModelVerifier verifier;
  private final Mode mode;
  private final double budget;
  private final Duration period;
  private final boolean reverify;
  private final boolean watch;
  private final TamperHandler handler;
  private final long maxCopyBytes;
  private final HashProgress progress;

  private ModelGuard(Builder b) {
    this.verifier = new ModelVerifier(b.policy);
    this.mode = b.mode;
    this.budget = b.budget;
    this.period = b.period;
    this.reverify = b.reverify;
    this.watch = b.watch;
    this.handler = b.handler;
    this.maxCopyBytes = b.maxCopyBytes;
    this.progress = b.progress;
  }

  public static Builder builder(TrustPolicy policy) {
    return new Builder(policy);
  }

  /**
   * Verifies {@code model} against {@code signature} under {@code policy} and hands it over in
   * {@code mode}, with the default re-verification budget and period and the fail-closed handler.
   */
  public static GuardedModel open(Path model, Path signature, TrustPolicy policy, Mode mode)
      throws VerificationException, GuardException {
    return builder(policy).mode(mode).build().open(model, signature);
  }

  /**
   * Verifies {@code model} (a folder or a single file) against the bundle at {@code signature} and
   * returns its verified bytes, under watch until closed.
   *
   * @throws VerificationException the model does not match a trusted signature (naming the file and
   *     rule), or a file changed while it was hashed
   * @throws GuardException {@code limit.guard-copy-bytes} (the private copy would be larger than
   *     allowed) or {@code guard.watch-failed}
   */
  public GuardedModel open(Path model, Path signature)
      throws VerificationException, GuardException {
    Arena arena = mode == Mode.VERIFIED_COPY ? Arena.ofShared() : null;
    Map<String, Capture> captures = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicLong reserved = new AtomicLong();
    boolean done = false;
    try {
      VerifiedModel v =
          verifier.verify(
              model,
              signature,
              progress,
              e -> {
                Capture c = new Capture(e, arena, reserved, maxCopyBytes);
                captures.put(e.name(), c);
                return c;
              });
      GuardedModel g = new GuardedModel(model.toString(), v, mode, arena, handler);
      Map<String, List<GuardedFile.SignedRange>> ranges = signedRanges(v);
      List<GuardedFile> files = new ArrayList<>();
      for (String name : ranges.keySet()) {
        Capture c = captures.get(name);
        if (c == null) {
          throw new IllegalStateException("verified file was not captured: " + name);
        }
        files.add(c.guarded(g, ranges.get(name), verifier.policy()));
      }
      for (Capture c : captures.values()) {
        // An empty file is no resource of the shards method, yet it is part of the model.
        if (!ranges.containsKey(c.entry.name()) && c.entry.size() == 0) {
          files.add(c.guarded(g, List.of(), verifier.policy()));
        }
      }
      files.sort(java.util.Comparator.comparing(GuardedFile::name, ModelTree.UTF8_ORDER));
      files.forEach(g::add);
      FolderWatch w = null;
      if (watch) {
        try {
          w = watchFor(g, model, files);
        } catch (IOException e) {
          g.close();
          throw new GuardException(
              "guard.watch-failed", model + ": cannot watch the model's folder: " + e, e);
        }
      }
      g.start(reverify ? new Reverification(g, files, budget, period) : null, w);
      done = true;
      return g;
    } finally {
      if (!done) {
        for (Capture c : captures.values()) {
          c.release();
        }
        if (arena != null) {
          arena.close();
        }
      }
    }
  }

  /** Each verified file's signed ranges, in manifest order. */
  private static Map<String, List<GuardedFile.SignedRange>> signedRanges(VerifiedModel v) {
    Map<String, List<GuardedFile.SignedRange>> out = new LinkedHashMap<>();
    boolean shards = v.manifest().method() == SerializationMethod.SHARDS;
    for (ResourceDigest r : v.manifest().resources()) {
      String name = r.name();
      long start = 0;
      long end = -1; // the whole file, filled in from its size
      if (shards) {
        // The verifier resolved every shard name to "path:start:end" with well-formed numbers.
        int b = name.lastIndexOf(':');
        int a = name.lastIndexOf(':', b - 1);
        start = Long.parseLong(name.substring(a + 1, b));
        end = Long.parseLong(name.substring(b + 1));
        name = name.substring(0, a);
      }
      out.computeIfAbsent(name, k -> new ArrayList<>())
          .add(new GuardedFile.SignedRange(start, end, r.digest()));
    }
    return out;
  }

  private static FolderWatch watchFor(GuardedModel g, Path model, List<GuardedFile> files)
      throws IOException {
    Map<Path, String> folders = new HashMap<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    boolean folder =
        Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(model);
    for (GuardedFile f : files) {
      names.add(f.name());
      if (folder) {
        int slash = f.name().lastIndexOf('/');
        String prefix = slash < 0 ? "" : f.name().substring(0, slash + 1);
        folders.put(prefix.isEmpty() ? model : model.resolve(prefix), prefix);
      }
    }
    if (!folder) {
      Path parent = model.toAbsolutePath().getParent();
      if (parent == null) {
        return null;
      }
      folders.put(parent, "");
    }
    return new FolderWatch(g, folders, names, g.mode() == Mode.MAPPED);
  }

  /** One file's hand-over: the private copy, or the verified channel kept open. */
  private static final class Capture implements FileCapture {
    private final ModelEntry entry;
    private final MemorySegment copy; // VERIFIED_COPY
    private final long overLimit; // > 0: the bytes reserved so far when the limit was crossed
    private final long limit;
    private final ConcurrentLinkedQueue<ModelFile> kept = new ConcurrentLinkedQueue<>();

    Capture(ModelEntry entry, Arena arena, AtomicLong reserved, long limit) {
      this.entry = entry;
      this.limit = limit;
      if (arena == null) {
        copy = null;
        overLimit = 0;
        return;
      }
      long total = reserved.addAndGet(entry.size());
      if (total > limit || total < 0) {
        copy = null;
        overLimit = total < 0 ? Long.MAX_VALUE : total;
      } else {
        copy = PrivateMemory.allocate(arena, entry.size());
        overLimit = 0;
      }
    }

    @Override
    public MemorySegment target(long pos, int n) throws LimitExceededException {
      if (overLimit > 0) {
        throw new LimitExceededException(
            "guard-copy-bytes", overLimit, limit, entry.file(), -1, null);
      }
      return copy == null ? null : copy.asSlice(pos, n);
    }

    @Override
    public void handOver(ModelFile file) throws IOException {
      if (copy != null) {
        file.close(); // the private copy is what is served: the file is done with
      } else {
        kept.add(file);
      }
    }

    GuardedFile guarded(GuardedModel g, List<GuardedFile.SignedRange> signed, TrustPolicy policy) {
      List<GuardedFile.SignedRange> ranges = new ArrayList<>(signed.size());
      for (GuardedFile.SignedRange r : signed) {
        ranges.add(r.end() < 0 ? new GuardedFile.SignedRange(0, entry.size(), r.digest()) : r);
      }
      if (copy != null) {
        return new GuardedFile(g, entry.name(), copy, null, ranges, policy.limits());
      }
      ModelFile mf = kept.poll();
      if (mf == null) {
        if (entry.size() != 0 || overLimit > 0) {
          throw new IllegalStateException("verified file was not handed over: " + entry.name());
        }
        // An empty file has no range, so the engine never opened it: nothing to map.
        return new GuardedFile(
            g, entry.name(), MemorySegment.ofArray(new byte[0]), null, ranges, policy.limits());
      }
      return new GuardedFile(g, entry.name(), mf.segment(), mf, ranges, policy.limits());
    }

    void release() {
      for (ModelFile f; (f = kept.poll()) != null; ) {
        try {
          f.close();
        } catch (IOException e) {
          // Read-only channel of a failed verification: nothing to lose.
        }
      }
    }
  }

  /**
   * Builds a {@link ModelGuard}; defaults: {@link Mode#VERIFIED_COPY}, re-verification at {@link
   * #DEFAULT_BUDGET} of one core at most every {@link #DEFAULT_PERIOD}, folder watch on, {@link
   * TamperHandler#FAIL_CLOSED}, private copies up to the machine's physical memory.
   */
  public static final class Builder {
    private final TrustPolicy policy;
    private Mode mode = Mode.VERIFIED_COPY;
    private double budget = DEFAULT_BUDGET;
    private Duration period = DEFAULT_PERIOD;
    private boolean reverify = true;
    private boolean watch = true;
    private TamperHandler handler = TamperHandler.FAIL_CLOSED;
    private long maxCopyBytes = physicalMemory();
    private HashProgress progress = HashProgress.NONE;

    private Builder(TrustPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
    }

    public Builder mode(Mode m) {
      this.mode = Objects.requireNonNull(m, "mode");
      return this;
    }

    /**
     * Re-verification's share of one core, in {@code (0, 1]}, and the shortest time between the
     * starts of two passes.
     */
    public Builder reverify(double share, Duration every) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("budget must be in (0, 1]: " + share);
      }
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("period must be positive: " + every);
      }
      this.budget = share;
      this.period = every;
      this.reverify = true;
      return this;
    }

    /** No background re-verification (the folder watch still runs unless turned off). */
    public Builder noReverification() {
      this.reverify = false;
      return this;
    }

    /** Whether to watch the model's folders for changes (default on). */
    public Builder watch(boolean on) {
      this.watch = on;
      return this;
    }

    /** Called for every event; the default fails closed. */
    public Builder onTamper(TamperHandler h) {
      this.handler = Objects.requireNonNull(h, "handler");
      return this;
    }

    /** Largest total size of a private copy ({@code limit.guard-copy-bytes} beyond). */
    public Builder maxCopyBytes(long max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxCopyBytes must not be negative");
      }
      this.maxCopyBytes = max;
      return this;
    }

    /** Hashing progress while opening (called from worker threads). */
    public Builder progress(HashProgress p) {
      this.progress = Objects.requireNonNull(p, "progress");
      return this;
    }

    public ModelGuard build() {
      return new ModelGuard(this);
    }

    private static long physicalMemory() {
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean os) {
        return os.getTotalMemorySize();
      }
      return Long.MAX_VALUE;
    }
  }
}
