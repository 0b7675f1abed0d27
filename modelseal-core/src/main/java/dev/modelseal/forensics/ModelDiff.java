package dev.modelseal.forensics;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import dev.modelseal.manifest.ModelEntry;
import dev.modelseal.manifest.ModelTree;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Compares two models (folders or single weight files) tensor by tensor: the forensic tool after a
 * failed verification. Tensors are matched by name across all weight files of each model, so a
 * tensor that moved to another shard is still matched; a name that occurs in two files of one model
 * is qualified as {@code file:name}.
 */
public final class ModelDiff {
  private ModelDiff() {}

  /** Every tensor of both models, sorted by name, with what changed. */
  public static List<TensorChange> compare(
      Path a, Path b, ParseLimits limits, boolean allowSymlinks)
      throws IOException, ModelSealException {
    try (ModelTensors ta = ModelTensors.open(a, limits, allowSymlinks);
        ModelTensors tb = ModelTensors.open(b, limits, allowSymlinks)) {
      if (ta.byName.isEmpty() && tb.byName.isEmpty()) {
        throw new ModelSealException(
            "diff.no-weight-files", "no weight files found in " + a + " or " + b);
      }
      TreeSet<String> names = new TreeSet<>(ModelTree.UTF8_ORDER);
      names.addAll(ta.byName.keySet());
      names.addAll(tb.byName.keySet());
      List<TensorChange> out = new ArrayList<>(names.size());
      for (String name : names) {
        out.add(compareOne(name, ta.byName.get(name), tb.byName.get(name)));
      }
      return out;
    }
  }

  private static TensorChange compareOne(String name, Ref ra, Ref rb)
      throws IOException, FormatException {
    if (ra == null) {
      return new TensorChange(
          name,
          TensorChange.Kind.ADDED,
          Optional.empty(),
          Optional.of(rb.fileName()),
          Optional.empty(),
          Optional.of(rb.tensor().dtype()),
          Optional.empty(),
          Optional.of(rb.tensor().shape()),
          Optional.empty());
    }
    if (rb == null) {
      return new TensorChange(
          name,
          TensorChange.Kind.REMOVED,
          Optional.of(ra.fileName()),
          Optional.empty(),
          Optional.of(ra.tensor().dtype()),
          Optional.empty(),
          Optional.of(ra.tensor().shape()),
          Optional.empty(),
          Optional.empty());
    }
    TensorInfo x = ra.tensor();
    TensorInfo y = rb.tensor();
    TensorChange.Kind kind;
    Optional<ValueStats> stats = Optional.empty();
    if (!x.dtype().equals(y.dtype()) || !x.shape().equals(y.shape())) {
      kind = TensorChange.Kind.DTYPE_OR_SHAPE_CHANGED;
    } else {
      try (CanonicalTensor ca = CanonicalTensor.of(ra.file(), x);
          CanonicalTensor cb = CanonicalTensor.of(rb.file(), y)) {
        ValueStats s = ValueComparator.compare(x.dtype(), ca.bytes(), cb.bytes());
        if (s.changed() == 0) {
          kind = TensorChange.Kind.UNCHANGED;
        } else {
          kind = TensorChange.Kind.VALUES_CHANGED;
          stats = Optional.of(s);
        }
      }
    }
    return new TensorChange(
        name,
        kind,
        Optional.of(ra.fileName()),
        Optional.of(rb.fileName()),
        Optional.of(x.dtype()),
        Optional.of(y.dtype()),
        Optional.of(x.shape()),
        Optional.of(y.shape()),
        stats);
  }

  private record Ref(String fileName, WeightFile file, TensorInfo tensor) {}

  /** The weight files of one model, open, with their tensors indexed by name. */
  private static final class ModelTensors implements AutoCloseable {
    private final List<WeightFile> files = new ArrayList<>();
    private final Map<String, Ref> byName = new LinkedHashMap<>();

    static ModelTensors open(Path model, ParseLimits limits, boolean allowSymlinks)
        throws IOException, ModelSealException {
      ModelTensors mt = new ModelTensors();
      try {
        ModelTree tree = ModelTree.enumerate(model, List.of(), allowSymlinks);
        List<Ref> refs = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ModelEntry e : tree.entries()) {
          Optional<WeightFile> wf = WeightFiles.open(e.file(), limits);
          if (wf.isEmpty()) {
            continue;
          }
          mt.files.add(wf.get());
          for (TensorInfo t : wf.get().tensors()) {
            refs.add(new Ref(e.name(), wf.get(), t));
            counts.merge(t.name(), 1, Integer::sum);
          }
        }
        for (Ref r : refs) {
          String key =
              counts.get(r.tensor().name()) > 1
                  ? r.fileName() + ":" + r.tensor().name()
                  : r.tensor().name();
          mt.byName.put(key, r);
        }
        return mt;
      } catch (IOException | ModelSealException | RuntimeException e) {
        mt.close();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      IOException first = null;
      for (WeightFile f : files) {
        try {
          f.close();
        } catch (IOException e) {
          if (first == null) {
            first = e;
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }
}
