package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python package's tests ({@code python/tests}) with the machine's python3 and numpy
 * against the real command line: a launcher script written here runs {@link Main} from the classes
 * this build just compiled, so the Python side checks the output of this very verifier.
 */
class PythonHandoffTest {
  @TempDir Path tmp;

  @Test
  void pythonPackage_realLauncher_allTestsPass() throws Exception {
    Optional<Path> python = onPath("python3");
    assumeTrue(python.isPresent(), "python3 not found on PATH: skipping the Python hand-off tests");
    assumeTrue(
        run(List.of(python.get().toString(), "-c", "import numpy"), null, tmp.resolve("np.log"))
            == 0,
        "numpy is not importable by python3: skipping the Python hand-off tests");
    Path pkg = repositoryRoot().resolve("python");
    assertThat(pkg.resolve("modelseal/__init__.py")).exists();

    Path log = tmp.resolve("unittest.log");
    int code =
        run(
            List.of(
                python.get().toString(), "-m", "unittest", "discover", "-s", "tests", "-t", "."),
            pkg,
            log);
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    Matcher ran = Pattern.compile("Ran (\\d+) tests?").matcher(out);
    assertThat(ran.find()).as(out).isTrue();
    assertThat(Integer.parseInt(ran.group(1))).as(out).isGreaterThanOrEqualTo(30);
    // Only the "MLX is missing" test may skip, and only where MLX is installed.
    assertThat(out).as(out).doesNotContain("FAILED").doesNotContain("skipped=2");
  }

  private int run(List<String> command, Path dir, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().put("MODELSEAL_TEST_LAUNCHER", launcher().toString());
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.environment().remove("MODELSEAL");
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    return pb.start().waitFor();
  }

  /** A {@code modelseal} command running this build's classes (the jar is not built yet here). */
  private Path launcher() throws IOException {
    Path script = tmp.resolve("modelseal");
    if (Files.exists(script)) {
      return script;
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // C1 only and a serial GC: many short runs on a shared machine.
    String body =
        "#!/bin/sh\nexec "
            + quote(java)
            + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp "
            + quote(cp)
            + " dev.modelseal.cli.Main \"$@\"\n";
    Files.writeString(script, body, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    // Surefire runs in the module folder (modelseal-cli); an IDE may run in the root.
    return Files.isDirectory(dir.resolve("python")) ? dir : dir.getParent();
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator, -1)) {
      Path p = Path.of(d.isEmpty() ? "." : d, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
