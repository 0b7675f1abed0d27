package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Scans a model file or folder for smuggled code: pickles (emulated, never loaded), archives read
 * as the most permissive loader reads them, chat templates, configs that pull in remote code, and
 * code files. Every file met is reported as scanned, skipped (with the reason) or failed; a failure
 * is never clean.
 *
 * <p>Folders are walked without following symbolic links; links and special files are reported as
 * skipped. Immutable and thread-safe.
 */
public final class ModelScanner {
  private final ParseLimits limits;
  private final PicklePolicy policy;
  private final List<ContentScanner> scanners;
  private final boolean tensorStats;

  private ModelScanner(ParseLimits limits, PicklePolicy policy, boolean tensorStats) {
    this.limits = limits;
    this.policy = policy;
    this.tensorStats = tensorStats;
    this.scanners = ScanContext.defaultScanners();
  }

  /** A scanner with the default limits and allowlist. */
  public static ModelScanner create() {
    return new ModelScanner(ParseLimits.defaults(), PicklePolicy.defaults(), true);
  }

  /** A scanner with the given limits and pickle policy. */
  public static ModelScanner create(ParseLimits limits, PicklePolicy policy) {
    return new ModelScanner(
        Objects.requireNonNull(limits, "limits"), Objects.requireNonNull(policy, "policy"), true);
  }

  /**
   * This scanner with tensor statistics on (the default) or off. On, every tensor of a safetensors,
   * npy, npz or GGUF file is read: NaN and infinite values and all-zero tensors are reported
   * ({@code tensor.nan}, {@code tensor.inf}, {@code tensor.all-zero}, info) and the formats'
   * data-level rules (npz CRC-32, BOOL bytes) are checked. Off, only headers, metadata and pickles
   * are read: much faster on large models, for pure pickle triage.
   */
  public ModelScanner withTensorStats(boolean enabled) {
    return new ModelScanner(limits, policy, enabled);
  }

  /**
   * Scans a file or every file under a folder.
   *
   * @throws IOException when {@code path} itself cannot be read (missing, permission denied);
   *     problems with single files under a folder are reported per file instead
   */
  public ScanReport scan(Path path) throws IOException {
    return scan(path, file -> {});
  }

  /**
   * As {@link #scan(Path)}, telling {@code progress} the relative path of each file before it is
   * scanned (for a progress display).
   */
  public ScanReport scan(Path path, Consumer<String> progress) throws IOException {
    BasicFileAttributes attrs =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    List<FileReport> reports = new ArrayList<>();
    if (attrs.isDirectory()) {
      Map<String, Path> files = new HashMap<>();
      walk(path, reports, files, progress);
      reports = ShardIndexScan.run(reports, files, limits);
    } else {
      Path name = path.getFileName();
      String display = name == null ? path.toString() : name.toString();
      progress.accept(display);
      reports.add(scanOne(path, display, attrs));
    }
    List<FileReport> sorted = new ArrayList<>(reports);
    sorted.sort(Comparator.comparing(FileReport::path));
    return new ScanReport(path.toString(), sorted);
  }

  private void walk(
      Path root, List<FileReport> reports, Map<String, Path> files, Consumer<String> progress)
      throws IOException {
    Files.walkFileTree(
        root,
        EnumSet.noneOf(java.nio.file.FileVisitOption.class),
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
            if (!dir.equals(root) && dir.getFileName().toString().equals(".git")) {
              reports.add(
                  new FileReport(
                      relative(root, dir) + "/",
                      "directory",
                      FileStatus.SKIPPED,
                      "version-control metadata is not part of the model",
                      List.of()));
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
            String display = relative(root, file);
            progress.accept(display);
            files.put(display, file);
            reports.add(scanOne(file, display, a));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            reports.add(
                new FileReport(
                    relative(root, file),
                    "unknown",
                    FileStatus.FAILED,
                    "cannot be read: " + e.getClass().getSimpleName() + " " + e.getMessage(),
                    List.of()));
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
  }

  private FileReport scanOne(Path file, String display, BasicFileAttributes attrs) {
    Findings findings = new Findings(display);
    if (attrs.isSymbolicLink()) {
      findings.add(
          "file.symlink",
          Severity.MEDIUM,
          "",
          display,
          "symbolic link not followed: loaders follow it to content that was not scanned");
      return new FileReport(
          display, "symlink", FileStatus.SKIPPED, "symbolic link (not followed)", findings.list());
    }
    if (!attrs.isRegularFile()) {
      findings.add(
          "file.special",
          Severity.LOW,
          "",
          display,
          "special file (FIFO, socket or device): not read");
      return new FileReport(
          display, "special", FileStatus.SKIPPED, "not a regular file", findings.list());
    }
    try (ModelFile mf = ModelFile.open(file)) {
      ScanContext ctx = new ScanContext(limits, policy, findings, scanners, tensorStats);
      Outcome o = ctx.dispatch(new Content(display, mf.segment(), "", 0, ""));
      mf.checkUnchanged();
      return new FileReport(display, o.kind(), o.status(), o.reason(), findings.list());
    } catch (FormatException e) {
      findings.add(e.rule(), Severity.HIGH, "", "", e.getMessage());
      return new FileReport(display, "unknown", FileStatus.FAILED, e.getMessage(), findings.list());
    } catch (IOException e) {
      return new FileReport(
          display,
          "unknown",
          FileStatus.FAILED,
          "cannot be read: " + e.getClass().getSimpleName() + " " + e.getMessage(),
          findings.list());
    } catch (RuntimeException e) {
      // A bug here must not turn into "clean": report the file as failed and carry on.
      return new FileReport(
          display,
          "unknown",
          FileStatus.FAILED,
          "internal error while scanning: " + e,
          findings.list());
    }
  }
}
