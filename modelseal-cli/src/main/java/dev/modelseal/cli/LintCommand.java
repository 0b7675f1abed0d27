package dev.modelseal.cli;

import dev.modelseal.lint.PythonLinter;
import dev.modelseal.lint.PythonUnavailableException;
import dev.modelseal.scan.ScanReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code modelseal lint}: unsafe model loading in the serving app's Python source. */
@Command(
    name = "lint",
    description = {
      "Finds unsafe model loading in Python source: pickle/joblib/dill loads, torch.load without"
          + " weights_only=True, numpy allow_pickle, unsafe yaml.load, trust_remote_code, hub"
          + " downloads without a pinned commit, http:// URLs, verify=False, ModelScope, and"
          + " load paths taken from web request input.",
      "Parses with python3's own ast module (one python3 process); never imports or runs the code.",
    },
    footer = {
      "",
      "Exit status: 0 clean, 1 findings at or above --fail-on or a file python3 could not parse,"
          + " 2 could not run (no python3), 3 no Python files."
    })
final class LintCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DebugOption debug;

  @Mixin FindingsOutput output;

  @Parameters(index = "0", paramLabel = "PATH", description = "Python file or source folder.")
  Path path;

  @Option(
      names = "--python",
      paramLabel = "EXE",
      defaultValue = "python3",
      description = "The Python that parses the sources (default: ${DEFAULT-VALUE}).")
  String python;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    Integer usage = output.usageProblem("lint", err);
    if (usage != null) {
      return usage;
    }
    ScanReport report;
    try {
      report = PythonLinter.using(python).lint(path);
    } catch (PythonUnavailableException e) {
      err.println("modelseal lint: " + e.getMessage());
      return ExitCode.CANNOT_RUN;
    }
    return output.emit("lint", report, spec.commandLine().getOut(), err);
  }
}
