package dev.modelseal.guard;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Re-hashes what was handed over, again and again, on one daemon thread: the private copy in {@code
 * VERIFIED_COPY} (in-process memory corruption), the mapped file through its verified channel in
 * {@code MAPPED} (then re-checks size, time and file key). It paces itself so that its CPU time
 * stays within {@code budget} of the wall time of each pass (sleeping after each chunk when ahead),
 * and starts a pass at most once per {@code period}.
 */
final class Reverification {
  /** Bytes hashed between two pacing decisions. */
  static final int CHUNK = 1 << 20;

  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Name prefix of the thread, so operators (and tests) can find it. */
  static final String THREAD_NAME = "modelseal-guard-reverify-";

  private final GuardedModel model;
  private final List<GuardedFile> files;
  private final double budget;
  private final long periodNanos;
  private final Thread thread;
  private final Set<String> reported = new HashSet<>(); // confined to the thread
  private volatile boolean stopped;

  Reverification(GuardedModel model, List<GuardedFile> files, double budget, Duration period) {
    this.model = model;
    this.files = List.copyOf(files);
    this.budget = budget;
    this.periodNanos = period.toNanos();
    this.thread = new Thread(this::run, THREAD_NAME + THREADS.incrementAndGet());
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Stops the thread and waits briefly for it, unless called from it. */
  void stop() {
    stopped = true;
    thread.interrupt();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Pace pace = new Pace(mx.isCurrentThreadCpuTimeSupported() ? mx : null);
    ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
    try {
      while (!stopped && model.isOpen()) {
        long start = System.nanoTime();
        pace.begin();
        for (GuardedFile f : files) {
          if (stopped) {
            return;
          }
          check(f, buffer, pace);
        }
        model.passCompleted();
        long wait = start + periodNanos - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
    } catch (InterruptedException e) {
      // Stopped.
    } catch (IllegalStateException e) {
      // The memory was released (closed or revoked) while a chunk was read: nothing to check.
    }
  }

  private void check(GuardedFile f, ByteBuffer buffer, Pace pace) throws InterruptedException {
    ModelFile mapped = f.mapped();
    try {
      for (GuardedFile.SignedRange r : f.ranges()) {
        MessageDigest md = sha256();
        for (long pos = r.start(); pos < r.end(); ) {
          if (stopped) {
            return;
          }
          int n = (int) Math.min(CHUNK, r.end() - pos);
          if (mapped == null) {
            md.update(f.segment().asSlice(pos, n).asByteBuffer());
          } else {
            // Positional reads, not the mapping: a truncated file is then a short read here
            // rather than a SIGBUS.
            buffer.clear().limit(n);
            while (buffer.hasRemaining()) {
              if (mapped.channel().read(buffer, pos + buffer.position()) < 0) {
                report(f, TamperEvent.FILE_CHANGED, "the file became shorter than verified");
                return;
              }
            }
            md.update(buffer.flip());
          }
          pos += n;
          pace.after();
        }
        if (!MessageDigest.isEqual(md.digest(), r.digest().toByteArray())) {
          report(
              f,
              TamperEvent.DIGEST_MISMATCH,
              "bytes ["
                  + r.start()
                  + ", "
                  + r.end()
                  + ") no longer match the signed digest "
                  + r.digest());
          return;
        }
      }
      if (mapped != null) {
        mapped.checkUnchanged();
      }
    } catch (FormatException e) {
      report(f, TamperEvent.FILE_CHANGED, "size, modification time or identity changed");
    } catch (IOException e) {
      if (!stopped) {
        report(f, TamperEvent.READ_FAILED, "cannot be read again: " + e.getMessage());
      }
    }
  }

  /** Each file and rule is reported once. */
  private void report(GuardedFile f, String rule, String detail) {
    if (reported.add(f.name() + "\0" + rule)) {
      model.report(f.name(), rule, detail, true);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** Keeps CPU time at most {@code budget} of the wall time since the pass began. */
  private final class Pace {
    private final ThreadMXBean mx;
    private long wall0;
    private long cpu0;

    Pace(ThreadMXBean mx) {
      this.mx = mx;
    }

    void begin() {
      wall0 = System.nanoTime();
      cpu0 = cpu();
    }

    /** Without thread CPU time, wall time spent working stands in for it (an overestimate). */
    private long cpu() {
      return mx != null ? mx.getCurrentThreadCpuTime() : System.nanoTime();
    }

    void after() throws InterruptedException {
      long used = cpu() - cpu0;
      long wall = System.nanoTime() - wall0;
      long due = (long) (used / budget) - wall;
      if (due > 0) {
        Thread.sleep(due / 1_000_000, (int) (due % 1_000_000));
      }
    }
  }
}
