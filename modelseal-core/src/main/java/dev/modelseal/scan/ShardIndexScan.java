package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.Problem;
import dev.modelseal.format.SafetensorsFile;
import dev.modelseal.format.SafetensorsReader;
import dev.modelseal.format.ShardCheck;
import dev.modelseal.format.ShardedSafetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sharded safetensors folders: after a folder has been scanned file by file, every {@code
 * *.safetensors.index.json} is checked against the shards beside it ({@link ShardedSafetensors}).
 * The findings go to the index file's report, under the checker's rule ids: {@code
 * shards.unindexed-file} is high (mlx-lm loads every {@code model*.safetensors} and ignores the
 * index, so a stray file is an injection path), every other error medium, warnings (a missing or
 * stale {@code total_size}) info. Problems with the index's JSON itself are left to the JSON
 * scanner, which reported them already.
 */
final class ShardIndexScan {
  private ShardIndexScan() {}

  /**
   * Adds the shard findings to the reports of the index files among {@code reports}.
   *
   * @param files the path of each report's file, by report path
   */
  static List<FileReport> run(
      List<FileReport> reports, Map<String, Path> files, ParseLimits limits) {
    List<FileReport> out = new ArrayList<>(reports.size());
    for (FileReport r : reports) {
      Path index = files.get(r.path());
      if (index != null
          && r.status() != FileStatus.SKIPPED
          && ShardedSafetensors.isIndexFileName(baseName(r.path()))) {
        out.add(check(r, index, reports, files, limits));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  private static FileReport check(
      FileReport indexReport,
      Path index,
      List<FileReport> reports,
      Map<String, Path> files,
      ParseLimits limits) {
    String dir = directoryOf(indexReport.path());
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    Findings findings = new Findings(indexReport.path());
    try {
      for (FileReport r : reports) {
        if (r.kind().equals("safetensors")
            && r.status() == FileStatus.SCANNED
            && directoryOf(r.path()).equals(dir)) {
          open(files.get(r.path()), limits).ifPresent(f -> shards.put(baseName(r.path()), f));
        }
      }
      ShardCheck check = ShardedSafetensors.check(index.getParent(), index, shards, limits);
      boolean jsonReported =
          indexReport.status() == FileStatus.FAILED
              || indexReport.findings().stream().anyMatch(f -> f.rule().startsWith("json."));
      for (FormatException e : check.errors()) {
        if (jsonReported
            && (e.rule().startsWith("shards.index") || e.rule().startsWith("limit."))) {
          continue;
        }
        boolean stray = e.rule().equals("shards.unindexed-file");
        String file = e.file().filter(p -> !p.equals(index)).map(ShardIndexScan::name).orElse("");
        String where = Findings.at(file, e.location().map(t -> "tensor " + t).orElse(""));
        findings.add(
            e.rule(),
            stray ? Severity.HIGH : Severity.MEDIUM,
            where,
            stray ? file : e.location().orElse(file),
            FormatReading.detail(e.getMessage()));
      }
      for (Problem p : check.warnings()) {
        findings.add(p.rule(), Severity.INFO, "", "", FormatReading.detail(p.message()));
      }
    } catch (IOException e) {
      findings.add(
          "shards.not-checked",
          Severity.MEDIUM,
          "",
          "",
          "the shard set could not be checked against this index: "
              + e.getClass().getSimpleName()
              + " "
              + e.getMessage());
    } finally {
      for (SafetensorsFile f : shards.values()) {
        try {
          f.close();
        } catch (IOException ignored) {
          // read-only mapping: nothing was written that closing could lose
        }
      }
    }
    List<Finding> all = new ArrayList<>(indexReport.findings());
    all.addAll(findings.list());
    return new FileReport(
        indexReport.path(), indexReport.kind(), indexReport.status(), indexReport.reason(), all);
  }

  /** The shard as the reader reads it; empty if it no longer reads (it was reported already). */
  private static Optional<SafetensorsFile> open(Path p, ParseLimits limits) {
    if (p == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(SafetensorsReader.open(p, limits));
    } catch (IOException | FormatException e) {
      return Optional.empty();
    }
  }

  private static String name(Path p) {
    Path n = p.getFileName();
    return n == null ? p.toString() : n.toString();
  }

  private static String baseName(String reportPath) {
    return reportPath.substring(reportPath.lastIndexOf('/') + 1);
  }

  private static String directoryOf(String reportPath) {
    int slash = reportPath.lastIndexOf('/');
    return slash < 0 ? "" : reportPath.substring(0, slash);
  }
}
