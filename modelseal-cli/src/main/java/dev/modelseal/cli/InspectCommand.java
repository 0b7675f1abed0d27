package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.Problem;
import dev.modelseal.format.SafetensorsFile;
import dev.modelseal.format.SafetensorsReader;
import dev.modelseal.format.ShardCheck;
import dev.modelseal.format.ShardedSafetensors;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import dev.modelseal.manifest.ModelEntry;
import dev.modelseal.manifest.ModelTree;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code modelseal inspect PATH [--json]}: validated structure of every weight file, headers only.
 */
@Command(
    name = "inspect",
    description = {
      "Show the structure of every weight file under PATH (safetensors, npy, npz, GGUF, sharded"
          + " folders), validated against each format's rules. Reads headers only, never tensor data.",
    },
    footer = {
      "",
      "Exit status: 0 all files valid, 1 a file broke a rule, 2 could not run, 3 no weight files.",
      "",
      "Examples:",
      "  modelseal inspect model.safetensors",
      "  modelseal inspect ./mlx-model --json"
    })
final class InspectCommand implements Callable<Integer> {
  @Mixin DebugOption debug;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "PATH", description = "A weight file or a model folder.")
  Path path;

  @Option(names = "--json", description = "Print the stable JSON form (see README).")
  boolean json;

  @Option(
      names = "--allow-symlinks",
      description = "Follow symbolic links inside the model folder (never outside it).")
  boolean allowSymlinks;

  @Override
  public Integer call() throws IOException, ModelSealException {
    ModelInspection inspection = ModelInspection.of(path, ParseLimits.defaults(), allowSymlinks);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(inspection.toJson()));
    } else {
      inspection.printText(out);
    }
    PrintWriter err = spec.commandLine().getErr();
    if (inspection.files().isEmpty()) {
      err.println("modelseal: no weight files found under " + path);
      return ExitCode.NOTHING_TO_CHECK;
    }
    if (!json) {
      for (String line : inspection.errorLines()) {
        err.println(line);
      }
    }
    return inspection.hasErrors() ? ExitCode.CHECK_FAILED : ExitCode.OK;
  }

  /** The result of inspecting one path: every weight file, valid or not, and every shard index. */
  record ModelInspection(List<FileReport> files, List<IndexReport> indexes) {

    static ModelInspection of(Path path, ParseLimits limits, boolean allowSymlinks)
        throws IOException, ModelSealException {
      ModelTree tree = ModelTree.enumerate(path, List.of(), allowSymlinks);
      List<FileReport> reports = new ArrayList<>();
      List<IndexReport> indexes = new ArrayList<>();
      for (ModelEntry e : tree.entries()) {
        FileReport r = FileReport.of(e, limits);
        if (r != null) {
          reports.add(r);
        }
        Path name = e.file().getFileName();
        if (!tree.isSingleFile()
            && name != null
            && ShardedSafetensors.isIndexFileName(name.toString())) {
          indexes.add(IndexReport.of(e, limits));
        }
      }
      return new ModelInspection(reports, indexes);
    }

    boolean hasErrors() {
      return files.stream().anyMatch(f -> !f.errors().isEmpty())
          || indexes.stream().anyMatch(i -> !i.errors().isEmpty());
    }

    List<String> errorLines() {
      List<String> lines = new ArrayList<>();
      for (FileReport f : files) {
        for (Problem p : f.errors()) {
          lines.add("modelseal: " + p.message());
        }
      }
      for (IndexReport i : indexes) {
        for (Problem p : i.errors()) {
          lines.add("modelseal: " + p.message());
        }
      }
      return lines;
    }

    Map<String, Object> toJson() {
      List<Object> list = new ArrayList<>();
      for (FileReport f : files) {
        list.add(f.toJson());
      }
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("files", list);
      List<Object> sets = new ArrayList<>();
      for (IndexReport i : indexes) {
        sets.add(i.toJson());
      }
      root.put("sharded_sets", sets);
      return root;
    }

    void printText(PrintWriter out) {
      boolean first = true;
      for (FileReport f : files) {
        if (!first) {
          out.println();
        }
        first = false;
        f.printText(out);
      }
      for (IndexReport i : indexes) {
        out.println();
        i.printText(out);
      }
    }
  }

  /** A sharded safetensors set: its index checked against the shards it names. */
  record IndexReport(
      String index,
      List<String> shards,
      int tensors,
      List<Problem> errors,
      List<Problem> warnings) {

    static IndexReport of(ModelEntry indexEntry, ParseLimits limits) throws IOException {
      Path indexFile = indexEntry.file();
      Path folder = indexFile.toAbsolutePath().getParent();
      String prefix =
          indexEntry.name().contains("/")
              ? indexEntry.name().substring(0, indexEntry.name().lastIndexOf('/') + 1)
              : "";
      Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
      try (java.nio.file.DirectoryStream<Path> ds =
          java.nio.file.Files.newDirectoryStream(folder, "*.safetensors")) {
        for (Path p : ds) {
          try {
            shards.put(p.getFileName().toString(), SafetensorsReader.open(p, limits));
          } catch (FormatException e) {
            // Reported with the file itself; the index check names it as not read.
          }
        }
      }
      try {
        ShardCheck check = ShardedSafetensors.check(folder, indexFile, shards, limits);
        List<Problem> errors = new ArrayList<>();
        for (FormatException e : check.errors()) {
          errors.add(new Problem(e.rule(), indexEntry.name() + ": " + FileReport.stripPath(e)));
        }
        List<String> shardNames = new ArrayList<>();
        for (String s : check.shardFiles()) {
          shardNames.add(prefix + s);
        }
        return new IndexReport(
            indexEntry.name(), shardNames, check.tensorFiles().size(), errors, check.warnings());
      } finally {
        for (SafetensorsFile f : shards.values()) {
          f.close();
        }
      }
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", index);
      m.put("shards", shards);
      m.put("tensors", tensors);
      List<Object> ps = new ArrayList<>();
      for (Problem p : errors) {
        ps.add(FileReport.problem(p, "error"));
      }
      for (Problem p : warnings) {
        ps.add(FileReport.problem(p, "warning"));
      }
      m.put("problems", ps);
      return m;
    }

    void printText(PrintWriter out) {
      out.printf(
          "%s  (shard index, %d shards, %d tensors, %s)%n",
          index, shards.size(), tensors, errors.isEmpty() ? "consistent" : "INVALID");
      for (Problem p : errors) {
        out.printf("  error: %s%n", p.message());
      }
      for (Problem p : warnings) {
        out.printf("  warning [%s] %s%n", p.rule(), p.message());
      }
    }
  }

  /** One weight file: its structure, or the rule it broke. */
  record FileReport(
      String name,
      String format,
      long size,
      Map<String, Object> metadata,
      List<TensorInfo> tensors,
      List<Problem> errors,
      List<Problem> warnings) {

    /** Null when the file is not a weight file (config, tokenizer, ...). */
    static FileReport of(ModelEntry e, ParseLimits limits) throws IOException {
      String guessed = WeightFiles.byExtension(e.file()).map(f -> f.id()).orElse(null);
      try {
        var opened = WeightFiles.open(e.file(), limits);
        if (opened.isEmpty()) {
          return null;
        }
        try (WeightFile wf = opened.get()) {
          return new FileReport(
              e.name(),
              wf.format().id(),
              wf.size(),
              wf.metadata(),
              wf.tensors(),
              List.of(),
              wf.warnings());
        }
      } catch (FormatException ex) {
        String message = e.name() + ": " + stripPath(ex);
        return new FileReport(
            e.name(),
            guessed == null ? "unknown" : guessed,
            e.size(),
            Map.of(),
            List.of(),
            List.of(new Problem(ex.rule(), message)),
            List.of());
      }
    }

    /** Messages name the file by its path inside the model, not by the absolute path. */
    static String stripPath(FormatException ex) {
      String m = ex.getMessage();
      int i = m.indexOf(": [");
      return i >= 0 && ex.file().isPresent() ? m.substring(i + 2) : m;
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", name);
      m.put("format", format);
      m.put("size", size);
      m.put("metadata", metadata);
      List<Object> ts = new ArrayList<>();
      for (TensorInfo t : tensors) {
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("name", t.name());
        tm.put("dtype", t.dtype().tag());
        tm.put("shape", t.shape().toArray());
        tm.put("offset", t.offset());
        tm.put("nbytes", t.nbytes());
        ts.add(tm);
      }
      m.put("tensors", ts);
      List<Object> ps = new ArrayList<>();
      for (Problem p : errors) {
        ps.add(problem(p, "error"));
      }
      for (Problem p : warnings) {
        ps.add(problem(p, "warning"));
      }
      m.put("problems", ps);
      return m;
    }

    static Map<String, Object> problem(Problem p, String severity) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rule", p.rule());
      m.put("message", p.message());
      m.put("severity", severity);
      return m;
    }

    void printText(PrintWriter out) {
      String status = errors.isEmpty() ? tensors.size() + " tensors" : "INVALID";
      out.printf("%s  (%s, %s, %s)%n", name, format, Sizes.human(size), status);
      for (Problem p : errors) {
        out.printf("  error: %s%n", p.message());
      }
      for (Problem p : warnings) {
        out.printf("  warning [%s] %s%n", p.rule(), p.message());
      }
      if (!metadata.isEmpty()) {
        out.println("  metadata:");
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
          out.printf("    %s = %s%n", e.getKey(), Sizes.clip(String.valueOf(e.getValue()), 100));
        }
      }
      if (tensors.isEmpty()) {
        return;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "DTYPE", "SHAPE", "OFFSET", "BYTES"});
      for (TensorInfo t : tensors) {
        rows.add(
            new String[] {
              t.name(),
              t.dtype().tag(),
              t.shape().toString(),
              Long.toString(t.offset()),
              Long.toString(t.nbytes())
            });
      }
      Table.print(out, rows, "  ", new boolean[] {false, false, false, true, true});
    }
  }
}
