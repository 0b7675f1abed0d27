package dev.modelseal.lint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelseal.scan.FileReport;
import dev.modelseal.scan.FileStatus;
import dev.modelseal.scan.Finding;
import dev.modelseal.scan.ScanReport;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code modelseal lint}: unsafe model loading in an app's Python source. python3's {@code ast}
 * parses; the rules ({@code lint.*}, see {@code LintRules}) are decided here, on the facts it
 * reports.
 */
public final class PythonLinter {
  /** Folders that hold installed or generated code, not the app's own. */
  private static final Set<String> SKIPPED_DIRS =
      Set.of(
          ".git",
          "__pycache__",
          ".venv",
          "venv",
          "node_modules",
          ".tox",
          ".mypy_cache",
          "site-packages");

  /** Bounds a walk over a hostile tree. */
  static final int MAX_FILES = 1_000_000;

  private final String python;

  private PythonLinter(String python) {
    this.python = python;
  }

  /** A linter that runs {@code python} (a name on PATH or a path) to parse the sources. */
  public static PythonLinter using(String python) {
    return new PythonLinter(python);
  }

  /**
   * Lints every {@code *.py} file under {@code root} (or {@code root} itself when it is a file).
   *
   * @throws PythonUnavailableException when python3 cannot be started or fails
   */
  public ScanReport lint(Path root) throws IOException {
    List<Path> files = pythonFiles(root);
    Map<String, List<Finding>> findings = new HashMap<>();
    Map<String, String> failures = new HashMap<>();
    boolean single = Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS);
    Map<String, String> names = new HashMap<>();
    for (Path f : files) {
      names.put(f.toString(), single ? f.getFileName().toString() : relative(root, f));
    }
    new PythonFacts(python)
        .parse(
            files,
            (JsonNode rec) -> {
              String path = rec.path("file").asText();
              String name = names.getOrDefault(path, path);
              if (rec.has("error")) {
                failures.put(name, rec.path("error").asText());
              } else {
                findings.put(name, LintRules.apply(name, rec));
              }
            });
    List<FileReport> reports = new ArrayList<>();
    for (Path f : files) {
      String name = names.get(f.toString());
      String failure = failures.get(name);
      if (failure != null) {
        reports.add(new FileReport(name, "python", FileStatus.FAILED, failure, List.of()));
      } else {
        reports.add(
            new FileReport(
                name, "python", FileStatus.SCANNED, "", findings.getOrDefault(name, List.of())));
      }
    }
    return new ScanReport(root.toString(), reports);
  }

  private static String relative(Path root, Path f) {
    String s = root.relativize(f).toString();
    return f.getFileSystem().getSeparator().equals("/") ? s : s.replace('\\', '/');
  }

  static List<Path> pythonFiles(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    if (Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)) {
      out.add(root);
      return out;
    }
    if (!Files.isDirectory(root)) {
      throw new java.nio.file.NoSuchFileException(root.toString());
    }
    // No link following: a symlink out of the tree is not the app's code.
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            Path name = dir.getFileName();
            return !dir.equals(root) && name != null && SKIPPED_DIRS.contains(name.toString())
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile() && file.getFileName().toString().endsWith(".py")) {
              if (out.size() >= MAX_FILES) {
                throw new IOException(
                    "limit.max-python-files: more than "
                        + MAX_FILES
                        + " Python files under "
                        + root);
              }
              out.add(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    out.sort(null);
    return out;
  }
}
