package dev.modelseal.cli;

import dev.modelseal.audit.AuditException;
import dev.modelseal.audit.PermissionAudit;
import dev.modelseal.audit.ServingUser;
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

/** {@code modelseal audit}: who can change these weights? */
@Command(
    name = "audit",
    description = {
      "Audits who can change a model's files: modes, owners, POSIX ACLs, set-id bits, symlinks,"
          + " hard links, every folder above it up to /, what the serving user can write, the"
          + " mount (read-write, network, FUSE), and keys or signatures lying in the folder.",
      "Each finding names the rule, the path and the fix as a command.",
    },
    footer = {"", "Exit status: 0 clean, 1 findings at or above --fail-on, 2 could not run."})
final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DebugOption debug;

  @Mixin FindingsOutput output;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model file or folder.")
  Path path;

  @Option(
      names = "--as",
      paramLabel = "USER",
      description = "The user the model server runs as (default: the current user).")
  String as;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    Integer usage = output.usageProblem("audit", err);
    if (usage != null) {
      return usage;
    }
    ScanReport report;
    try {
      ServingUser user = ServingUser.lookUp(as != null ? as : System.getProperty("user.name"));
      report = PermissionAudit.servingAs(user).audit(path);
    } catch (AuditException e) {
      // Not a finding about the model: the audit could not see what it must judge.
      err.println("modelseal audit: " + e.getMessage());
      return ExitCode.CANNOT_RUN;
    }
    return output.emit("audit", report, spec.commandLine().getOut(), err);
  }
}
