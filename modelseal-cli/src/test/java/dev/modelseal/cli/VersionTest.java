package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VersionTest {
  /** The commit of the checkout the tests run in, or null outside a git checkout. */
  private static String headCommit() throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    Process p;
    try {
      p =
          new ProcessBuilder("git", "-C", root.toString(), "rev-parse", "HEAD")
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      return null; // no git on this machine
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      return null;
    }
    return out;
  }

  @Test
  void version_builtInCheckout_namesVersionAndCommit() throws Exception {
    StringWriter out = new StringWriter();
    int status = Main.run(new String[] {"--version"}, new PrintWriter(out), new PrintWriter(out));
    String first = out.toString().lines().findFirst().orElse("");
    String commit = headCommit();
    assertThat(status).isEqualTo(ExitCode.OK);
    assertThat(first).startsWith("modelseal 0.").doesNotContain("development");
    // The build records the commit it was built from; outside a checkout it says "unknown".
    assertThat(first).contains("(commit " + (commit == null ? "unknown" : commit));
    assertThat(out.toString()).contains("Java " + Runtime.version().feature());
  }
}
