package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.scan.FileReport;
import dev.modelseal.scan.FileStatus;
import dev.modelseal.scan.ModelScanner;
import dev.modelseal.scan.PicklePolicy;
import dev.modelseal.scan.ReportFormat;
import dev.modelseal.scan.ScanReport;
import dev.modelseal.scan.Severity;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code modelseal scan}: looks for smuggled code in a model file or folder. */
@Command(
    name = "scan",
    description = {
      "Scans a model file or folder for smuggled code.",
      "Pickles are emulated, never loaded; zip containers are read as the most permissive loader"
          + " reads them; chat templates, configs that run remote code and code files are checked.",
      "Weight files (safetensors, npy, npz, GGUF) are validated by their strict readers, npy"
          + " object arrays' pickles emulated, GGUF chat templates inspected, and tensor values"
          + " read for NaN/Inf and all-zero tensors (--no-tensor-stats skips that).",
    },
    footer = {
      "",
      "Exit status: 0 clean, 1 findings at or above --fail-on or a file that failed to parse,"
          + " 2 could not run, 3 nothing scanned."
    })
final class ScanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DebugOption debug;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model file or folder.")
  Path path;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "Report format: text, json or sarif (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the report to FILE.")
  Path output;

  @Option(
      names = "--fail-on",
      paramLabel = "SEVERITY",
      defaultValue = "high",
      description =
          "Exit 1 when a finding is at least this severe: critical, high, medium, low, info"
              + " (default: ${DEFAULT-VALUE}).")
  String failOn;

  @Option(
      names = "--allowlist",
      paramLabel = "FILE",
      description = "Extra allowed pickle globals, one 'module name' pair per line (# comments).")
  Path allowlist;

  @Option(
      names = "--no-tensor-stats",
      description =
          "Do not read tensor data (NaN/Inf counts, all-zero tensors, npz CRC-32 and BOOL checks):"
              + " headers, metadata, templates and pickles only. Much faster on large models.")
  boolean noTensorStats;

  @Override
  public Integer call() throws IOException, ModelSealException {
    PrintWriter err = spec.commandLine().getErr();
    ReportFormat fmt;
    Severity threshold;
    try {
      fmt = ReportFormat.parse(format);
      threshold = Severity.parse(failOn);
    } catch (IllegalArgumentException e) {
      err.println("modelseal scan: " + e.getMessage());
      return ExitCode.CANNOT_RUN;
    }
    PicklePolicy policy = PicklePolicy.defaults();
    if (allowlist != null) {
      try {
        policy = policy.withAllowlistFile(allowlist);
      } catch (FormatException e) {
        // A broken allowlist is a usage problem, not a finding about the model.
        err.println("modelseal scan: " + e.getMessage());
        return ExitCode.CANNOT_RUN;
      }
    }
    // Progress only for a person watching a terminal, never into pipes or files.
    boolean showProgress =
        java.util.Optional.ofNullable(System.console())
            .map(java.io.Console::isTerminal)
            .orElse(false);
    int[] count = {0};
    ScanReport report =
        ModelScanner.create(ParseLimits.defaults(), policy)
            .withTensorStats(!noTensorStats)
            .scan(
                path,
                file -> {
                  if (showProgress) {
                    err.print("\rscanning " + ++count[0] + ": " + abbreviate(file) + "\u001b[K");
                    err.flush();
                  }
                });
    if (showProgress) {
      err.print("\r\u001b[K");
    }
    if (output != null) {
      try (Writer w = new BufferedWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
        fmt.write(report, w);
      }
    } else {
      PrintWriter out = spec.commandLine().getOut();
      fmt.write(report, out);
      out.flush();
    }
    // The one-line summary and anything not scanned go to stderr too, so a JSON/SARIF report on
    // stdout stays machine-readable while a person still sees what was not looked at.
    if (fmt != ReportFormat.TEXT || output != null) {
      for (FileReport f : report.files()) {
        if (f.status() != FileStatus.SCANNED) {
          err.println(
              "modelseal scan: "
                  + ReportFormat.printable(f.path())
                  + ": "
                  + f.status().id()
                  + ": "
                  + f.reason());
        }
      }
      err.println("modelseal scan: " + ReportFormat.summary(report));
    }
    err.flush();
    return exit(report, threshold);
  }

  private static int exit(ScanReport report, Severity threshold) {
    return switch (report.verdict(threshold)) {
      case CLEAN -> ExitCode.OK;
      case FINDINGS -> ExitCode.CHECK_FAILED;
      case NOTHING_SCANNED -> ExitCode.NOTHING_TO_CHECK;
    };
  }

  private static String abbreviate(String path) {
    String p = ReportFormat.printable(path);
    return p.length() <= 60 ? p : "..." + p.substring(p.length() - 57);
  }
}
