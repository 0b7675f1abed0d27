package dev.modelseal.guard;

import dev.modelseal.OneLine;
import dev.modelseal.oms.ModelDifference;
import dev.modelseal.oms.ModelVerifier;
import dev.modelseal.oms.VerificationException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps verifying a deployed model: a {@link WatchService} on every folder of the model reports
 * changes at once ({@code changed}), and a full re-verification follows each change and runs every
 * {@code interval} anyway (a change the file system does not report, e.g. on a network file system,
 * is still caught). Re-verification is throttled so that, on average, it uses at most {@code
 * budgetPercent} of one core: after a verification that cost {@code c} CPU time the next one starts
 * no earlier than {@code c * 100 / budgetPercent} after the previous start.
 *
 * <p>A change that leaves the signed bytes as they were (a {@code chmod}, a {@code touch}, a file
 * rewritten with the same content) yields {@code changed} and then {@code verified}: only the bytes
 * are signed. Not thread-safe; run it on one thread and stop it by interrupting that thread.
 */
public final class ModelWatch {
  /** Most folders watched; each costs a kernel watch (inotify's default limit is 8192 per user). */
  static final int MAX_FOLDERS = 4096;

  /**
   * How often and how hard to check.
   *
   * @param interval the longest time between two full verifications
   * @param budgetPercent share of one core re-verification may use on average, 1 to 100
   * @param keepRunning keep watching after a tamper (otherwise {@link #run} returns at the first)
   */
  public record Settings(Duration interval, int budgetPercent, boolean keepRunning) {
    public Settings {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("the interval must be positive");
      }
      if (budgetPercent < 1 || budgetPercent > 100) {
        throw new IllegalArgumentException("the budget must be 1 to 100 percent");
      }
    }
  }

  private final ModelVerifier verifier;
  private final Path model;
  private final Path signature;
  private final Settings settings;
  private final Consumer<WatchEvent> sink;

  /** The differences of the last failed verification; empty while the model verifies. */
  private Set<String> tamperedAs = Set.of();

  private long notBeforeNanos;

  public ModelWatch(
      ModelVerifier verifier,
      Path model,
      Path signature,
      Settings settings,
      Consumer<WatchEvent> sink) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.model = model.toAbsolutePath().normalize();
    this.signature = Objects.requireNonNull(signature, "signature");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** Verifies the whole model once and reports {@code verified} or {@code tampered}. */
  public boolean verifyOnce() {
    long start = System.nanoTime();
    long cpu = processCpuNanos();
    boolean ok;
    try {
      verifier.verify(model, signature);
      ok = true;
      emit(
          tamperedAs.isEmpty() ? WatchEvent.Kind.VERIFIED : WatchEvent.Kind.RESTORED,
          ".",
          null,
          null,
          null);
      tamperedAs = Set.of();
    } catch (VerificationException e) {
      ok = false;
      reportTamper(e);
    }
    long cost = Math.max(0, processCpuNanos() - cpu);
    notBeforeNanos = notBefore(start, cost, settings.budgetPercent());
    return ok;
  }

  /**
   * Verifies, then watches until the first tamper (returns {@code false}) or, with {@code
   * keepRunning}, until the thread is interrupted.
   *
   * @throws IOException when the folders cannot be watched
   * @throws InterruptedException when the thread is interrupted
   */
  public boolean run() throws IOException, InterruptedException {
    boolean singleFile = !Files.isDirectory(model, LinkOption.NOFOLLOW_LINKS);
    Path watchedRoot = singleFile ? model.getParent() : model;
    try (WatchService ws = FileSystems.getDefault().newWatchService()) {
      Map<WatchKey, Path> folders = new HashMap<>();
      register(ws, watchedRoot, folders, !singleFile);
      if (!verifyOnce() && !settings.keepRunning()) {
        return false;
      }
      long interval = settings.interval().toNanos();
      long nextFull = System.nanoTime() + interval;
      Set<String> pending = new LinkedHashSet<>();
      while (true) {
        long now = System.nanoTime();
        long due = pending.isEmpty() ? Math.max(nextFull, notBeforeNanos) : notBeforeNanos;
        if (due - now > 0) {
          WatchKey key;
          try {
            key = ws.poll(due - now, TimeUnit.NANOSECONDS);
          } catch (ClosedWatchServiceException e) {
            throw new InterruptedException("watch closed");
          }
          while (key != null) {
            collect(ws, key, folders, singleFile, pending);
            key = ws.poll();
          }
          continue;
        }
        pending.clear();
        if (!verifyOnce() && !settings.keepRunning()) {
          return false;
        }
        nextFull = System.nanoTime() + interval;
      }
    }
  }

  private void collect(
      WatchService ws,
      WatchKey key,
      Map<WatchKey, Path> folders,
      boolean singleFile,
      Set<String> pending)
      throws IOException {
    Path dir = folders.get(key);
    for (java.nio.file.WatchEvent<?> ev : key.pollEvents()) {
      if (ev.kind() == StandardWatchEventKinds.OVERFLOW || dir == null) {
        changed(".", pending); // events were lost: the re-verification covers everything
        continue;
      }
      Path child = dir.resolve((Path) ev.context());
      if (singleFile && !child.equals(model)) {
        continue;
      }
      changed(singleFile ? String.valueOf(model.getFileName()) : relative(child), pending);
      if (!singleFile
          && ev.kind() == StandardWatchEventKinds.ENTRY_CREATE
          && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
        register(ws, child, folders, true); // a new folder's files must be watched too
      }
    }
    if (!key.reset()) {
      folders.remove(key);
    }
  }

  private void changed(String file, Set<String> pending) {
    if (pending.add(file)) {
      emit(WatchEvent.Kind.CHANGED, file, null, null, null);
    }
  }

  private String relative(Path p) {
    String r = model.relativize(p).toString();
    return r.isEmpty() ? "." : r.replace(java.io.File.separatorChar, '/');
  }

  private void register(WatchService ws, Path root, Map<WatchKey, Path> folders, boolean tree)
      throws IOException {
    if (!tree) {
      add(ws, root, folders);
      return;
    }
    // walkFileTree does not follow links by default: a linked folder is not watched (and the
    // verifier refuses the link unless the signature allowed links).
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            add(ws, dir, folders);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // a folder that vanished meanwhile: nothing to watch
          }
        });
  }

  private static void add(WatchService ws, Path dir, Map<WatchKey, Path> folders)
      throws IOException {
    if (folders.size() >= MAX_FOLDERS) {
      throw new IOException(
          "watch.too-many-folders: more than " + MAX_FOLDERS + " folders to watch under the model");
    }
    try {
      WatchKey k =
          dir.register(
              ws,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_DELETE,
              StandardWatchEventKinds.ENTRY_MODIFY);
      folders.put(k, dir);
    } catch (java.nio.file.NoSuchFileException e) {
      // removed between listing and registering: its deletion is reported on the parent
    }
  }

  private void reportTamper(VerificationException e) {
    List<ModelDifference> diffs = e.differences();
    Set<String> now = new LinkedHashSet<>();
    if (diffs.isEmpty()) {
      now.add(e.rule() + " " + e.getMessage());
    }
    for (ModelDifference d : diffs) {
      now.add(d.kind().id() + " " + d.name());
    }
    if (now.equals(tamperedAs)) {
      return; // the same tamper as last time: already reported
    }
    tamperedAs = now;
    if (diffs.isEmpty()) {
      emit(WatchEvent.Kind.TAMPERED, ".", e.rule(), null, OneLine.of(e.getMessage()));
    }
    for (ModelDifference d : diffs) {
      emit(WatchEvent.Kind.TAMPERED, d.name(), e.rule(), d.kind().id(), null);
    }
  }

  private void emit(WatchEvent.Kind kind, String file, String rule, String diff, String detail) {
    sink.accept(
        new WatchEvent(
            kind,
            file,
            Optional.ofNullable(rule),
            Optional.ofNullable(diff),
            Optional.ofNullable(detail),
            Instant.now()));
  }

  /** CPU time of the whole process: the verifier hashes on several threads. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      long t = os.getProcessCpuTime();
      if (t >= 0) {
        return t;
      }
    }
    return 0;
  }

  /**
   * When the next verification may start so that one that began at {@code startNanos} and cost
   * {@code cpuNanos} averages at most {@code budgetPercent} of one core.
   */
  static long notBefore(long startNanos, long cpuNanos, int budgetPercent) {
    return startNanos + cpuNanos * 100 / budgetPercent;
  }

  /** For display. */
  @Override
  public String toString() {
    return "ModelWatch[" + model + ", " + settings + "]";
  }
}
