package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintCommandTest {
  @TempDir Path dir;

  Path app() throws IOException {
    Files.writeString(
        dir.resolve("serve.py"),
        "import torch\nmodel = torch.load('m.pt')\nok = torch.load('m.pt', weights_only=True)\n",
        StandardCharsets.UTF_8);
    return dir;
  }

  @Test
  void lint_unsafeLoad_exit1WithLineAndFix() throws IOException {
    CliRun r = CliRun.of("lint", app().toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.out())
        .contains("HIGH     lint.torch-load-unsafe at line 2, column 9")
        .contains("fix: torch.load(f, weights_only=True)");
  }

  @Test
  void lint_json_findingHasLineColumnFix() throws IOException {
    CliRun r = CliRun.of("lint", app().toString(), "--json");
    JsonNode f = new ObjectMapper().readTree(r.out()).path("files").get(0).path("findings").get(0);
    assertThat(f.path("rule").asText()).isEqualTo("lint.torch-load-unsafe");
    assertThat(f.path("line").asInt()).isEqualTo(2);
    assertThat(f.path("column").asInt()).isEqualTo(9);
    assertThat(f.path("fix").asText()).contains("weights_only=True");
  }

  @Test
  void lint_sarif_regionStartLine() throws IOException {
    CliRun r = CliRun.of("lint", app().toString(), "--sarif");
    JsonNode res = new ObjectMapper().readTree(r.out()).path("runs").get(0).path("results").get(0);
    assertThat(
            res.path("locations").get(0).path("physicalLocation").path("region").path("startLine"))
        .hasToString("2");
  }

  @Test
  void lint_failOnCritical_exit0() throws IOException {
    assertThat(CliRun.of("lint", app().toString(), "--fail-on", "critical").status())
        .isEqualTo(ExitCode.OK);
  }

  @Test
  void lint_noPythonFiles_exit3() {
    assertThat(CliRun.of("lint", dir.toString()).status()).isEqualTo(ExitCode.NOTHING_TO_CHECK);
  }

  @Test
  void lint_pythonAbsent_exit2OneLine() throws IOException {
    CliRun r = CliRun.of("lint", app().toString(), "--python", "/nonexistent/python3");
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("lint.python-missing");
  }
}
