package dev.modelseal.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Mixed into {@code oms sign-model} and {@code oms verify-model}: the flags both take alike
 * (OMS.md, "Interop entry point").
 */
final class OmsModelOptions {
  @Option(names = "--method", required = true, description = "key, certificate or sigstore.")
  String method;

  @Option(
      names = "--model-path",
      required = true,
      paramLabel = "DIR",
      description = "The model folder (or file).")
  Path modelPath;

  @Option(
      names = "--ignore-paths",
      arity = "1..*",
      paramLabel = "ABS",
      description = "Absolute paths inside the model to leave out.")
  List<String> ignorePaths = new ArrayList<>();

  /** An ignore path outside the model is skipped with a warning here, not refused as in sign. */
  IgnoreArguments ignores() {
    return new IgnoreArguments(ignorePaths, IgnoreArguments.OutsideModel.WARN_AND_SKIP);
  }
}
