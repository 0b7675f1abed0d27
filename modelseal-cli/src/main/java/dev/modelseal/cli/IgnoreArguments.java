package dev.modelseal.cli;

import dev.modelseal.manifest.ModelTreeException;
import dev.modelseal.oms.IgnorePaths;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Ignore paths as the user gave them ({@code sign/verify --ignore}, {@code oms --ignore-paths}):
 * relative to the model root, or absolute inside it. The commands differ, on purpose, only in an
 * absolute path outside the model: {@code outside} says what it means.
 */
record IgnoreArguments(List<String> paths, OutsideModel outside) {
  /** What an absolute ignore path outside the model does. */
  enum OutsideModel {
    /** {@code sign}, {@code verify}: a mistake, {@value IgnorePaths#BAD_USER_PATH} (exit 2). */
    REJECT,
    /**
     * {@code oms sign-model/verify-model}: a warning, and it excludes nothing, as the reference
     * implementation does (OMS.md, "Interop entry point").
     */
    WARN_AND_SKIP
  }

  IgnoreArguments {
    paths = List.copyOf(paths);
  }

  /**
   * The model-relative OMS ignore paths, in the order given; warnings go to {@code err}.
   *
   * @throws ModelTreeException {@value IgnorePaths#BAD_USER_PATH} for a path that is not one
   */
  List<String> resolve(Path model, PrintWriter err) throws ModelTreeException {
    List<String> out = new ArrayList<>();
    for (String p : paths) {
      if (outside == OutsideModel.WARN_AND_SKIP
          && Path.of(p).isAbsolute()
          && IgnorePaths.relativeInside(model, Path.of(p)).isEmpty()) {
        err.println("modelseal: warning: ignore path " + p + " is outside the model; skipped");
        continue;
      }
      out.add(IgnorePaths.resolve(model, p));
    }
    return out;
  }
}
