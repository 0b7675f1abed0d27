package dev.modelseal.manifest;

import dev.modelseal.ModelSealException;
import dev.modelseal.digest.Digest;
import dev.modelseal.digest.HashAlgorithm;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Computes a model's {@link Manifest}: one SHA-256 per file ({@code files}) or per {@code
 * [start,end)} piece ({@code shards}), spread over all cores. Each file is opened once, without
 * following links, read with positional reads into a reusable direct buffer per thread (memory does
 * not grow with model size), and re-checked after hashing so a file changed mid-hash is an error.
 */
public final class ModelHasher {
  /** OMS default shard size. */
  public static final long DEFAULT_SHARD_SIZE = 1_000_000_000L;

  private static final int BUFFER_SIZE = 1 << 20;

  private final SerializationMethod method;
  private final long shardSize;
  private final List<String> ignorePaths;
  private final boolean allowSymlinks;
  private final int threads;
  private final HashProgress progress;

  private ModelHasher(Builder b) {
    this.method = b.method;
    this.shardSize = b.shardSize;
    this.ignorePaths = List.copyOf(b.ignorePaths);
    this.allowSymlinks = b.allowSymlinks;
    this.threads = b.threads;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Enumerates and hashes {@code model} (a folder or a single file). */
  public Manifest hash(Path model) throws IOException, ModelSealException {
    return hash(ModelTree.enumerate(model, ignorePaths, allowSymlinks));
  }

  /** Hashes an already enumerated tree. */
  public Manifest hash(ModelTree tree) throws IOException, ModelSealException {
    List<Piece> pieces = new ArrayList<>();
    for (ModelEntry e : tree.entries()) {
      if (method == SerializationMethod.FILES) {
        pieces.add(new Piece(e, 0, e.size(), e.name()));
      } else {
        for (long start = 0; start < e.size(); start += shardSize) {
          long end = Math.min(e.size(), start + shardSize);
          pieces.add(new Piece(e, start, end, e.name() + ":" + start + ":" + end));
        }
      }
    }
    long total = tree.totalBytes();
    AtomicLong done = new AtomicLong();
    List<ResourceDigest> resources = new ArrayList<>(pieces.size());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<ResourceDigest>> futures = new ArrayList<>(pieces.size());
      for (Piece p : pieces) {
        futures.add(pool.submit(() -> hashPiece(p, done, total)));
      }
      for (Future<ResourceDigest> f : futures) {
        resources.add(await(f));
      }
    } finally {
      pool.shutdownNow();
    }
    return new Manifest(
        method,
        method == SerializationMethod.SHARDS ? OptionalLong.of(shardSize) : OptionalLong.empty(),
        HashAlgorithm.SHA256,
        resources,
        ignorePaths,
        allowSymlinks);
  }

  private ResourceDigest hashPiece(Piece p, AtomicLong done, long total)
      throws IOException, FormatException {
    MessageDigest md = sha256();
    ByteBuffer buf = BUFFERS.get();
    try (ModelFile f = ModelFile.open(p.entry().file())) {
      if (f.size() != p.entry().size()) {
        throw new FormatException(
            "file.changed", f.path(), -1, null, "file size changed since the model was enumerated");
      }
      long pos = p.start();
      while (pos < p.end()) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), p.end() - pos));
        int n = f.channel().read(buf, pos);
        if (n < 0) {
          throw new FormatException("file.changed", f.path(), pos, null, "file became shorter");
        }
        buf.flip();
        md.update(buf);
        pos += n;
        progress.update(done.addAndGet(n), total);
      }
      f.checkUnchanged();
    }
    return new ResourceDigest(p.name(), Digest.of(HashAlgorithm.SHA256, md.digest()));
  }

  private static final ThreadLocal<ByteBuffer> BUFFERS =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER_SIZE));

  private static ResourceDigest await(Future<ResourceDigest> f)
      throws IOException, ModelSealException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while hashing", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ModelSealException m) {
        throw m;
      }
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(c);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private record Piece(ModelEntry entry, long start, long end, String name) {}

  /** Builds a {@link ModelHasher}; defaults: files method, no ignores, no symlinks, all cores. */
  public static final class Builder {
    private SerializationMethod method = SerializationMethod.FILES;
    private long shardSize = DEFAULT_SHARD_SIZE;
    private List<String> ignorePaths = List.of();
    private boolean allowSymlinks;
    private int threads = Runtime.getRuntime().availableProcessors();
    private HashProgress progress = HashProgress.NONE;

    private Builder() {}

    public Builder method(SerializationMethod m) {
      this.method = m;
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
      this.progress = p;
      return this;
    }

    public ModelHasher build() {
      return new ModelHasher(this);
    }
  }
}
