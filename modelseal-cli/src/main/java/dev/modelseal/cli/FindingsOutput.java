package dev.modelseal.cli;

import dev.modelseal.scan.FileReport;
import dev.modelseal.scan.FileStatus;
import dev.modelseal.scan.ReportFormat;
import dev.modelseal.scan.ScanReport;
import dev.modelseal.scan.Severity;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * Output and exit status shared by {@code lint}, {@code audit} and {@code deps}: the scanner's
 * report writer (text, {@code --json}, {@code --sarif}) and its verdict under {@code --fail-on}.
 */
final class FindingsOutput {
  @Option(names = "--json", description = "Print the report as JSON (the scan report's shape).")
  boolean json;

  @Option(names = "--sarif", description = "Print the report as SARIF 2.1.0.")
  boolean sarif;

  @Option(
      names = "--fail-on",
      paramLabel = "SEVERITY",
      defaultValue = "high",
      description =
          "Exit 1 when a finding is at least this severe: critical, high, medium, low, info"
              + " (default: ${DEFAULT-VALUE}).")
  String failOn;

  /** Checks the options; a usage problem is printed and its exit status returned. */
  Integer usageProblem(String command, PrintWriter err) {
    if (json && sarif) {
      err.println("modelseal " + command + ": choose one of --json and --sarif");
      return ExitCode.CANNOT_RUN;
    }
    try {
      Severity.parse(failOn);
    } catch (IllegalArgumentException e) {
      err.println("modelseal " + command + ": " + e.getMessage());
      return ExitCode.CANNOT_RUN;
    }
    return null;
  }

  /** Writes {@code report} and returns the exit status: 0 clean, 1 findings, 3 nothing checked. */
  int emit(String command, ScanReport report, PrintWriter out, PrintWriter err) throws IOException {
    ReportFormat fmt = json ? ReportFormat.JSON : sarif ? ReportFormat.SARIF : ReportFormat.TEXT;
    fmt.write(report, out);
    out.flush();
    if (fmt != ReportFormat.TEXT) {
      // stdout stays machine-readable; a person still sees what was not checked.
      for (FileReport f : report.files()) {
        if (f.status() != FileStatus.SCANNED) {
          err.println(
              "modelseal "
                  + command
                  + ": "
                  + ReportFormat.printable(f.path())
                  + ": "
                  + f.status().id()
                  + ": "
                  + f.reason());
        }
      }
      err.println("modelseal " + command + ": " + ReportFormat.summary(report));
    }
    err.flush();
    return switch (report.verdict(Severity.parse(failOn))) {
      case CLEAN -> ExitCode.OK;
      case FINDINGS -> ExitCode.CHECK_FAILED;
      case NOTHING_SCANNED -> ExitCode.NOTHING_TO_CHECK;
    };
  }
}
