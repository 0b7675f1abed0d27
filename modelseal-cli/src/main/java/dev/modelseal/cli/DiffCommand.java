package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.forensics.ModelDiff;
import dev.modelseal.forensics.TensorChange;
import dev.modelseal.forensics.ValueStats;
import dev.modelseal.format.ParseLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code modelseal diff A B [--json]}: which tensors differ, and by how much. */
@Command(
    name = "diff",
    description = {
      "Compare two models (folders or weight files) tensor by tensor: added, removed, dtype or shape"
          + " changed, and for changed values how many elements changed and by how much."
    },
    footer = {
      "",
      "Exit status: 0 identical tensors, 1 differences found, 2 could not run, 3 no weight files.",
      "",
      "Example:",
      "  modelseal diff ./model-as-signed ./model-as-deployed"
    })
final class DiffCommand implements Callable<Integer> {
  @Mixin DebugOption debug;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "A", description = "The reference model (file or folder).")
  Path a;

  @Parameters(index = "1", paramLabel = "B", description = "The model to compare with A.")
  Path b;

  @Option(names = "--json", description = "Print the stable JSON form (see README).")
  boolean json;

  @Option(names = "--allow-symlinks", description = "Follow symbolic links inside the models.")
  boolean allowSymlinks;

  @Override
  public Integer call() throws IOException, ModelSealException {
    List<TensorChange> changes;
    try {
      changes = ModelDiff.compare(a, b, ParseLimits.defaults(), allowSymlinks);
    } catch (ModelSealException e) {
      if (e.rule().equals("diff.no-weight-files")) {
        spec.commandLine().getErr().println("modelseal: " + e.getMessage());
        return ExitCode.NOTHING_TO_CHECK;
      }
      throw e;
    }
    Map<TensorChange.Kind, Integer> counts = new EnumMap<>(TensorChange.Kind.class);
    for (TensorChange c : changes) {
      counts.merge(c.kind(), 1, Integer::sum);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(toJson(changes, counts)));
    } else {
      printText(out, changes, counts);
    }
    return counts.getOrDefault(TensorChange.Kind.UNCHANGED, 0) == changes.size()
        ? ExitCode.OK
        : ExitCode.CHECK_FAILED;
  }

  private void printText(
      PrintWriter out, List<TensorChange> changes, Map<TensorChange.Kind, Integer> counts) {
    out.printf(
        "%d tensors: %d unchanged, %d values changed, %d dtype/shape changed, %d added, %d"
            + " removed%n",
        changes.size(),
        counts.getOrDefault(TensorChange.Kind.UNCHANGED, 0),
        counts.getOrDefault(TensorChange.Kind.VALUES_CHANGED, 0),
        counts.getOrDefault(TensorChange.Kind.DTYPE_OR_SHAPE_CHANGED, 0),
        counts.getOrDefault(TensorChange.Kind.ADDED, 0),
        counts.getOrDefault(TensorChange.Kind.REMOVED, 0));
    for (TensorChange c : changes) {
      String name = Sizes.clip(c.name(), 120);
      switch (c.kind()) {
        case UNCHANGED -> {}
        case ADDED ->
            out.printf(
                "  added     %s  %s %s  (%s)%n",
                name, c.dtypeB().orElseThrow(), c.shapeB().orElseThrow(), c.fileB().orElseThrow());
        case REMOVED ->
            out.printf(
                "  removed   %s  %s %s  (%s)%n",
                name, c.dtypeA().orElseThrow(), c.shapeA().orElseThrow(), c.fileA().orElseThrow());
        case DTYPE_OR_SHAPE_CHANGED ->
            out.printf(
                "  reshaped  %s  %s %s -> %s %s%n",
                name,
                c.dtypeA().orElseThrow(),
                c.shapeA().orElseThrow(),
                c.dtypeB().orElseThrow(),
                c.shapeB().orElseThrow());
        case VALUES_CHANGED -> {
          ValueStats s = c.values().orElseThrow();
          StringBuilder sb = new StringBuilder();
          sb.append(
              String.format(
                  Locale.ROOT,
                  "  changed   %s  (%s, %s %s): %d of %d %s (%.4g%%)",
                  name,
                  c.fileB().orElseThrow(),
                  c.dtypeB().orElseThrow(),
                  c.shapeB().orElseThrow(),
                  s.changed(),
                  s.elements(),
                  s.numeric() ? "elements" : "storage blocks",
                  s.changedFraction() * 100));
          s.maxAbsDiff()
              .ifPresent(v -> sb.append(String.format(Locale.ROOT, ", max |diff| %.6g", v)));
          s.relativeL2()
              .ifPresent(v -> sb.append(String.format(Locale.ROOT, ", relative L2 %.3g", v)));
          if (s.nanIntroduced() > 0) {
            sb.append(", ").append(s.nanIntroduced()).append(" NaN introduced");
          }
          if (s.infIntroduced() > 0) {
            sb.append(", ").append(s.infIntroduced()).append(" Inf introduced");
          }
          out.println(sb);
        }
      }
    }
  }

  private Map<String, Object> toJson(
      List<TensorChange> changes, Map<TensorChange.Kind, Integer> counts) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("a", a.toString());
    root.put("b", b.toString());
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("tensors", changes.size());
    for (TensorChange.Kind k : TensorChange.Kind.values()) {
      summary.put(k.id(), counts.getOrDefault(k, 0));
    }
    root.put("summary", summary);
    List<Object> list = new ArrayList<>();
    for (TensorChange c : changes) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("change", c.kind().id());
      m.put("file_a", c.fileA().orElse(null));
      m.put("file_b", c.fileB().orElse(null));
      m.put("dtype_a", c.dtypeA().map(d -> d.tag()).orElse(null));
      m.put("dtype_b", c.dtypeB().map(d -> d.tag()).orElse(null));
      m.put("shape_a", c.shapeA().map(s -> s.toArray()).orElse(null));
      m.put("shape_b", c.shapeB().map(s -> s.toArray()).orElse(null));
      if (c.values().isPresent()) {
        ValueStats s = c.values().get();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("elements", s.elements());
        v.put("changed", s.changed());
        v.put("changed_fraction", s.changedFraction());
        v.put("max_abs_diff", s.maxAbsDiff().isPresent() ? s.maxAbsDiff().getAsDouble() : null);
        v.put("relative_l2", s.relativeL2().isPresent() ? s.relativeL2().getAsDouble() : null);
        v.put("nan_introduced", s.nanIntroduced());
        v.put("inf_introduced", s.infIntroduced());
        v.put("numeric", s.numeric());
        m.put("values", v);
      }
      list.add(m);
    }
    root.put("tensors", list);
    return root;
  }
}
