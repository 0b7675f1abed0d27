package dev.modelseal.digest;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFileOpener;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * The hashing engine: SHA-256 of files or shards and, on request, CTD-1 of every tensor, spread
 * over all cores.
 *
 * <p>How it reads: each file is opened once as a {@link ModelFile} (no link following) and read
 * with positional reads into a few reusable native buffers, one per worker, so memory does not grow
 * with model size. Positional reads rather than hashing a mapping in place: a file truncated by
 * someone else while it is mapped raises SIGBUS, which native hashing code cannot survive, whereas
 * a short read is an ordinary error. After its last range, every file is re-checked (size,
 * modification time, file key): a file changed while it was hashed is an error.
 *
 * <p>One pass: when tensor digests are wanted and a tensor's stored bytes are already canonical
 * ({@link WeightFile#storedCanonically}) and lie inside one requested range, the bytes read for the
 * range digest also feed the tensor's CTD-1. A window's tensor work is forked so an idle core takes
 * it while this one hashes the range. Tensors that need transforming (deflate, byte swap,
 * transposition) or that cross a range boundary are separate tasks.
 *
 * <p>Hand-over: a request's {@link FileCapture} sees every window of its ranges as it is hashed (or
 * supplies the memory the window is read into, so the private copy itself is hashed), and after the
 * final re-check it is handed the still open file instead of the engine closing it. Verification
 * uses this to give the caller the bytes it verified rather than a path.
 *
 * <p>Scheduling: work units (ranges, then tensors) run on "lanes", at most one per thread; each
 * lane takes the next unit from a shared queue, in request order, so at most about one file per
 * thread is open at a time.
 */
public final class DigestEngine {
  /** Bytes per positional read: large enough that the per-read cost vanishes. */
  static final int DEFAULT_WINDOW = 1 << 20;

  /** Below this much tensor work in a window, forking it costs more than it saves. */
  private static final long MIN_FORKED_TENSOR_BYTES = 128 << 10;

  private final int threads;
  private final int window;
  private final long minForkedBytes;
  private final WeightFileOpener opener;
  private final ParseLimits limits;
  private final LongConsumer progress;

  private DigestEngine(Builder b) {
    this.threads = b.threads;
    this.window = b.window;
    this.minForkedBytes = Math.min(MIN_FORKED_TENSOR_BYTES, b.window / 4);
    this.opener = b.opener;
    this.limits = b.limits;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Chooses and binds the SHA-256 implementation now (loading libcrypto, when present, is the
   * slowest part of a small hash); callers may run this early on another thread.
   */
  public static void warmUp() {
    Sha256.implementation();
  }

  /**
   * Which SHA-256 implementation the engine uses in this process: {@code libcrypto} or {@code jdk}.
   */
  public static String sha256Implementation() {
    return Sha256.implementation();
  }

  /**
   * Digests every request.
   *
   * @return one result per request, in request order
   * @throws FormatException a file changed while it was hashed, or a weight file is malformed
   * @throws IOException a file cannot be read
   * @throws ModelSealException another rule was broken
   */
  public List<FileDigests> digest(List<FileRequest> requests)
      throws IOException, ModelSealException {
    Run run = new Run(requests);
    return run.execute();
  }

  /** One call of {@link #digest}: its queue, lanes, open files and first failure. */
  private final class Run {
    private final OpenFile[] files;
    private final Deque<Unit> queue = new ConcurrentLinkedDeque<>();
    private final AtomicInteger lanes = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Queue<MemorySegment> buffers = new ConcurrentLinkedQueue<>();
    private final Object finished = new Object();
    private int pending; // guarded by finished
    private ForkJoinPool pool;
    private Arena arena;

    Run(List<FileRequest> requests) {
      files = new OpenFile[requests.size()];
      for (int i = 0; i < files.length; i++) {
        files[i] = new OpenFile(this, Objects.requireNonNull(requests.get(i)));
      }
    }

    List<FileDigests> execute() throws IOException, ModelSealException {
      List<Unit> units = new ArrayList<>();
      for (OpenFile f : files) {
        for (int r = 0; r < f.request.ranges().size(); r++) {
          units.add(new RangeUnit(f, r));
        }
      }
      pool = new ForkJoinPool(threads);
      arena = Arena.ofShared();
      try {
        push(units, false);
        awaitAll();
      } finally {
        pool.shutdown();
        closeArenaWhenIdle();
      }
      Throwable t = failure.get();
      if (t != null) {
        rethrow(t);
      }
      List<FileDigests> out = new ArrayList<>(files.length);
      for (OpenFile f : files) {
        out.add(f.result());
      }
      return out;
    }

    private void closeArenaWhenIdle() {
      try {
        pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (pool.isTerminated()) {
        arena.close();
      }
      // Otherwise a worker is stuck in a system call: leave the buffers to the garbage collector
      // rather than free memory it may still write to.
    }

    private void awaitAll() throws InterruptedIOException {
      synchronized (finished) {
        boolean interrupted = false;
        while (pending > 0) {
          try {
            finished.wait();
          } catch (InterruptedException e) {
            interrupted = true;
            fail(new InterruptedIOException("interrupted while hashing"));
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Queues units (tensor units go first so they run while their file is open and cached). */
    void push(List<? extends Unit> units, boolean first) {
      if (units.isEmpty()) {
        return;
      }
      synchronized (finished) {
        pending += units.size();
      }
      if (first) {
        for (int i = units.size() - 1; i >= 0; i--) {
          queue.addFirst(units.get(i));
        }
      } else {
        queue.addAll(units);
      }
      int want = Math.min(threads, queue.size());
      while (lanes.get() < want && tryAddLane()) {
        // Always through the pool's submission queue, never a worker's own deque, so a worker
        // waiting to join forked tensor work cannot pick up a whole lane in the meantime.
        // A lane reports its failures through fail(), never through its future.
        ForkJoinTask<Void> unused = pool.externalSubmit(new Lane());
      }
    }

    private boolean tryAddLane() {
      while (true) {
        int n = lanes.get();
        if (n >= threads) {
          return false;
        }
        if (lanes.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    private void unitFinished() {
      synchronized (finished) {
        if (--pending == 0) {
          finished.notifyAll();
        }
      }
    }

    void fail(Throwable t) {
      if (!failure.compareAndSet(null, t) && failure.get() != t) {
        failure.get().addSuppressed(t);
      }
    }

    boolean failed() {
      return failure.get() != null;
    }

    MemorySegment takeBuffer() {
      MemorySegment b = buffers.poll();
      return b != null ? b : arena.allocate(window, 4096);
    }

    void returnBuffer(MemorySegment b) {
      buffers.add(b);
    }

    /** A worker's loop: take the next unit until none is left. */
    private final class Lane extends RecursiveAction {
      private static final long serialVersionUID = 1L;

      @Override
      protected void compute() {
        MemorySegment buffer = takeBuffer();
        try {
          while (true) {
            Unit u = queue.pollFirst();
            if (u == null) {
              lanes.decrementAndGet();
              // A unit may have been queued after the poll but before the decrement.
              if (queue.isEmpty() || !tryAddLane()) {
                return;
              }
              continue;
            }
            try {
              if (!failed()) {
                u.run(buffer);
              }
            } catch (Throwable t) {
              fail(t);
            } finally {
              try {
                u.file.release();
              } catch (Throwable t) {
                fail(t);
              }
              unitFinished();
            }
          }
        } finally {
          returnBuffer(buffer);
        }
      }
    }
  }

  /** A file of the request: opened by its first unit, closed and re-checked after its last. */
  private final class OpenFile {
    private final Run run;
    private final FileRequest request;
    private final Digest[] rangeDigests;
    private final Object canonicalLock = new Object();
    private int refs; // guarded by this
    private boolean opened; // guarded by this
    private Exception openFailure; // guarded by this
    private ModelFile model;
    private WeightFile weights;
    private List<TensorInfo> tensors = List.of();
    private Digest[] tensorDigests = new Digest[0];
    private List<List<Integer>> attached = List.of();

    OpenFile(Run run, FileRequest request) {
      this.run = run;
      this.request = request;
      this.rangeDigests = new Digest[request.ranges().size()];
      this.refs = request.ranges().size();
    }

    /** Opens the file and plans its tensors, once; later callers wait for the first. */
    synchronized void ensureOpen() throws IOException, ModelSealException {
      if (opened) {
        if (openFailure != null) {
          // The same exception for every unit of the file, so whichever is recorded first is the
          // real cause.
          switch (openFailure) {
            case IOException e -> throw e;
            case ModelSealException e -> throw e;
            case RuntimeException e -> throw e;
            default -> throw new IllegalStateException(openFailure);
          }
        }
        return;
      }
      opened = true;
      try {
        open();
      } catch (IOException | ModelSealException | RuntimeException e) {
        openFailure = e;
        throw e;
      }
    }

    private void open() throws IOException, ModelSealException {
      ModelFile mf = ModelFile.open(request.path());
      try {
        if (mf.size() != request.expectedSize()) {
          throw new FormatException(
              "file.changed",
              request.path(),
              -1,
              null,
              "size is " + mf.size() + ", was " + request.expectedSize() + " when enumerated");
        }
        // Set before planning: tensor units queued by planTensors may start at once (they wait on
        // this object's lock, then read the file through this field).
        model = mf;
        if (request.tensors() && opener != null) {
          WeightFile wf = opener.open(mf, limits).orElse(null);
          if (wf != null) {
            weights = wf;
            if (wf.source() != mf) {
              throw new IllegalStateException("weight file opener replaced the model file");
            }
            planTensors();
          }
        }
      } catch (IOException | ModelSealException | RuntimeException e) {
        if (weights != null) {
          weights.close();
        }
        if (weights == null || weights.source() != mf) {
          mf.close();
        }
        weights = null;
        model = null;
        throw e;
      }
    }

    /**
     * Attaches each canonically stored tensor to the range holding it (one pass); queues the others
     * as tensor units.
     */
    private void planTensors() throws FormatException {
      tensors = List.copyOf(weights.tensors());
      tensorDigests = new Digest[tensors.size()];
      List<ByteRange> ranges = request.ranges();
      List<List<Integer>> att = new ArrayList<>(ranges.size());
      for (int r = 0; r < ranges.size(); r++) {
        att.add(new ArrayList<>());
      }
      List<TensorUnit> separate = new ArrayList<>();
      long size = weights.source().size();
      for (int i = 0; i < tensors.size(); i++) {
        TensorInfo t = tensors.get(i);
        if (t.nbytes() == 0) {
          try (Ctd1Computation c = Ctd1Computation.start(request.path(), t)) {
            tensorDigests[i] = c.finish();
          }
          continue;
        }
        if (!weights.storedCanonically(t)) {
          separate.add(new TensorUnit(this, i, false));
          continue;
        }
        long end = TensorDigests.storedEnd(request.path(), t, size);
        int r = rangeHolding(ranges, t.offset(), end);
        if (r >= 0) {
          att.get(r).add(i);
        } else {
          separate.add(new TensorUnit(this, i, true));
        }
      }
      for (List<Integer> a : att) {
        a.sort(Comparator.comparingLong(i -> tensors.get(i).offset()));
      }
      attached = att;
      refs += separate.size();
      run.push(separate, true);
    }

    private static int rangeHolding(List<ByteRange> ranges, long from, long to) {
      int lo = 0;
      int hi = ranges.size() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        ByteRange r = ranges.get(mid);
        if (r.start() <= from) {
          if (r.contains(from, to)) {
            return mid;
          }
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return -1;
    }

    /** Called once per unit; the last call re-checks the file and closes it. */
    void release() throws IOException, FormatException {
      synchronized (this) {
        if (--refs > 0 || model == null) {
          return;
        }
      }
      boolean handedOver = false;
      try {
        if (!run.failed()) {
          model.checkUnchanged();
          if (request.capture() != FileCapture.NONE && !run.failed()) {
            handedOver = true;
            request.capture().handOver(model);
          }
        }
      } finally {
        if (weights != null) {
          weights.close();
        } else if (!handedOver) {
          model.close();
        }
      }
    }

    FileDigests result() {
      Optional<List<TensorDigest>> td = Optional.empty();
      if (weights != null) {
        List<TensorDigest> list = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
          list.add(TensorDigest.of(tensors.get(i), Objects.requireNonNull(tensorDigests[i])));
        }
        td = Optional.of(list);
      }
      return new FileDigests(List.of(rangeDigests), td);
    }

    /** Reads {@code [pos, pos + n)} into the buffer, or fails if the file became shorter. */
    MemorySegment read(MemorySegment buffer, long pos, int n) throws IOException, FormatException {
      ByteBuffer bb = buffer.asByteBuffer();
      bb.limit(n);
      readFully(bb, pos);
      return buffer.asSlice(0, n);
    }

    /**
     * Reads a range's window: into the capture's own segment when it has one (its private copy is
     * then what is hashed), and shows the capture the bytes that are about to be hashed.
     */
    MemorySegment readForRange(MemorySegment buffer, long pos, int n)
        throws IOException, FormatException {
      FileCapture capture = request.capture();
      MemorySegment target = capture.target(pos, n);
      MemorySegment data;
      if (target == null) {
        data = read(buffer, pos, n);
      } else {
        if (target.byteSize() != n) {
          throw new IllegalStateException("capture target of the wrong size");
        }
        readFully(target.asByteBuffer(), pos);
        data = target;
      }
      capture.read(data, pos);
      return data;
    }

    private void readFully(ByteBuffer bb, long pos) throws IOException, FormatException {
      while (bb.hasRemaining()) {
        int got = model.channel().read(bb, pos + bb.position());
        if (got < 0) {
          throw new FormatException(
              "file.changed",
              request.path(),
              pos + bb.position(),
              null,
              "file became shorter while it was being read");
        }
      }
    }
  }

  /** A piece of work. */
  private abstract static class Unit {
    final OpenFile file;

    Unit(OpenFile file) {
      this.file = file;
    }

    abstract void run(MemorySegment buffer) throws IOException, ModelSealException;
  }

  /** One requested range, with the tensors attached to it hashed from the same reads. */
  private final class RangeUnit extends Unit {
    private final int index;

    RangeUnit(OpenFile file, int index) {
      super(file);
      this.index = index;
    }

    @Override
    void run(MemorySegment buffer) throws IOException, ModelSealException {
      file.ensureOpen();
      ByteRange range = file.request.ranges().get(index);
      List<Integer> attached =
          file.attached.isEmpty() ? List.<Integer>of() : file.attached.get(index);
      Deque<ActiveTensor> active = new ArrayDeque<>();
      int next = 0;
      try (Sha256 sha = Sha256.create()) {
        for (long pos = range.start(); pos < range.end(); ) {
          if (file.run.failed()) {
            return;
          }
          int n = (int) Math.min(window, range.end() - pos);
          MemorySegment data = file.readForRange(buffer, pos, n);
          long end = pos + n;
          while (next < attached.size() && file.tensors.get(attached.get(next)).offset() < end) {
            int t = attached.get(next++);
            active.add(
                new ActiveTensor(
                    t, Ctd1Computation.start(file.request.path(), file.tensors.get(t))));
          }
          if (active.isEmpty()) {
            sha.update(data);
          } else {
            hashWindow(sha, data, pos, active);
            while (!active.isEmpty() && active.peekFirst().end() <= end) {
              ActiveTensor done = active.pollFirst();
              try (done.ctd) {
                file.tensorDigests[done.index] = done.ctd.finish();
              }
            }
          }
          progress.accept(n);
          pos = end;
        }
        file.rangeDigests[index] = Digest.of(HashAlgorithm.SHA256, sha.finish());
      } finally {
        for (ActiveTensor a : active) {
          a.ctd.close();
        }
      }
    }

    /** Range digest here, tensor slices forked so an idle core can take them. */
    private void hashWindow(Sha256 sha, MemorySegment data, long pos, Deque<ActiveTensor> active)
        throws FormatException {
      long end = pos + data.byteSize();
      List<Slice> slices = new ArrayList<>(active.size());
      long bytes = 0;
      for (ActiveTensor a : active) {
        long from = Math.max(a.start(), pos);
        long to = Math.min(a.end(), end);
        if (to > from) {
          slices.add(new Slice(a.ctd, data.asSlice(from - pos, to - from)));
          bytes += to - from;
        }
      }
      if (threads == 1 || bytes < minForkedBytes) {
        sha.update(data);
        Slice.hashAll(slices);
        return;
      }
      List<SliceGroup> groups = SliceGroup.split(slices, bytes, threads - 1, minForkedBytes);
      for (SliceGroup g : groups) {
        g.fork();
      }
      sha.update(data);
      for (int i = groups.size() - 1; i >= 0; i--) {
        groups.get(i).join();
      }
      for (SliceGroup g : groups) {
        g.rethrow();
      }
    }

    private record ActiveTensor(int index, Ctd1Computation ctd) {
      long start() {
        return ctd.tensor().offset();
      }

      long end() {
        return ctd.tensor().offset() + ctd.tensor().nbytes();
      }
    }
  }

  /** Bytes of one window for one tensor. */
  private record Slice(Ctd1Computation ctd, MemorySegment data) {
    static void hashAll(List<Slice> slices) throws FormatException {
      for (Slice s : slices) {
        s.ctd.update(s.data);
      }
    }
  }

  /** Tensor slices hashed on another core; failures are kept and rethrown by the forking thread. */
  private static final class SliceGroup extends RecursiveAction {
    private static final long serialVersionUID = 1L;

    private final transient List<Slice> slices;
    private transient FormatException formatFailure;
    private transient RuntimeException runtimeFailure;

    private SliceGroup(List<Slice> slices) {
      this.slices = slices;
    }

    /** Cuts the slices, in order, into at most {@code max} groups of similar byte counts. */
    static List<SliceGroup> split(List<Slice> slices, long bytes, int max, long minBytes) {
      int groups = (int) Math.max(1, Math.min(max, bytes / minBytes));
      long share = (bytes + groups - 1) / groups;
      List<SliceGroup> out = new ArrayList<>(groups);
      List<Slice> current = new ArrayList<>();
      long inCurrent = 0;
      for (Slice s : slices) {
        current.add(s);
        inCurrent += s.data.byteSize();
        if (inCurrent >= share && out.size() < groups - 1) {
          out.add(new SliceGroup(current));
          current = new ArrayList<>();
          inCurrent = 0;
        }
      }
      if (!current.isEmpty()) {
        out.add(new SliceGroup(current));
      }
      return out;
    }

    @Override
    protected void compute() {
      try {
        Slice.hashAll(slices);
      } catch (FormatException e) {
        formatFailure = e;
      } catch (RuntimeException e) {
        runtimeFailure = e;
      }
    }

    void rethrow() throws FormatException {
      if (formatFailure != null) {
        throw formatFailure;
      }
      if (runtimeFailure != null) {
        throw runtimeFailure;
      }
    }
  }

  /**
   * One tensor on its own: re-read from the file when stored canonically (it crosses a range
   * boundary), otherwise streamed through the reader's {@link WeightFile#readCanonical}.
   */
  private final class TensorUnit extends Unit {
    private final int index;
    private final boolean stored;

    TensorUnit(OpenFile file, int index, boolean stored) {
      super(file);
      this.index = index;
      this.stored = stored;
    }

    @Override
    void run(MemorySegment buffer) throws IOException, ModelSealException {
      file.ensureOpen(); // already open: this orders our reads after the opening thread's writes
      TensorInfo t = file.tensors.get(index);
      try (Ctd1Computation c = Ctd1Computation.start(file.request.path(), t)) {
        if (stored) {
          long end = t.offset() + t.nbytes();
          for (long pos = t.offset(); pos < end; pos += window) {
            if (file.run.failed()) {
              return;
            }
            c.update(file.read(buffer, pos, (int) Math.min(window, end - pos)));
          }
        } else {
          // Readers are not promised to be thread-safe: one canonical stream per file at a time.
          synchronized (file.canonicalLock) {
            TensorDigests.streamCanonical(file.weights, t, c);
          }
        }
        file.tensorDigests[index] = c.finish();
      }
    }
  }

  private static void rethrow(Throwable t) throws IOException, ModelSealException {
    switch (t) {
      case ModelSealException m -> throw m;
      case UncheckedIOException u -> throw u.getCause();
      case IOException io -> throw io;
      case RuntimeException r -> throw r;
      case Error e -> throw e;
      default -> throw new IllegalStateException(t);
    }
  }

  /** Builds a {@link DigestEngine}; defaults: all cores, no tensor digests, no progress. */
  public static final class Builder {
    private int threads = Runtime.getRuntime().availableProcessors();
    private int window = DEFAULT_WINDOW;
    private WeightFileOpener opener;
    private ParseLimits limits = ParseLimits.defaults();
    private LongConsumer progress = n -> {};

    private Builder() {}

    /** Worker threads (at least 1). */
    public Builder threads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads must be at least 1");
      }
      this.threads = n;
      return this;
    }

    /** Bytes per read (a multiple of 4096, at least 4096); tests use small windows. */
    public Builder window(int bytes) {
      if (bytes < 4096 || bytes % 4096 != 0) {
        throw new IllegalArgumentException("window must be a positive multiple of 4096");
      }
      this.window = bytes;
      return this;
    }

    /** How to open weight files when a request asks for tensor digests. */
    public Builder weightFiles(WeightFileOpener opener, ParseLimits limits) {
      this.opener = Objects.requireNonNull(opener, "opener");
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Told the number of file bytes just hashed; called from worker threads. */
    public Builder progress(LongConsumer bytesHashed) {
      this.progress = Objects.requireNonNull(bytesHashed, "bytesHashed");
      return this;
    }

    public DigestEngine build() {
      return new DigestEngine(this);
    }
  }
}
