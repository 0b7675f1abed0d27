package dev.modelseal.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.scan.FileReport;
import dev.modelseal.scan.FileStatus;
import dev.modelseal.scan.Finding;
import dev.modelseal.scan.ScanReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonLinterTest {
  static final List<String> APP = List.of("loaders.py", "lookalikes.py", "web.py", "broken.py");

  @TempDir static Path app;
  static ScanReport report;

  @BeforeAll
  static void lintFixtureApp() throws IOException {
    for (String name : APP) {
      try (InputStream in = PythonLinterTest.class.getResourceAsStream("/lint/app/" + name)) {
        Files.copy(in, app.resolve(name));
      }
    }
    report = PythonLinter.using("python3").lint(app);
  }

  /** The fixture marks each unsafe line with a comment {@code # expect: RULE ...}. */
  static Set<String> expected(String file) throws IOException {
    Set<String> out = new TreeSet<>();
    List<String> lines = Files.readAllLines(app.resolve(file), StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      int at = lines.get(i).indexOf("# expect: ");
      if (at >= 0) {
        for (String rule : List.of(lines.get(i).substring(at + 10).trim().split(" ", -1))) {
          out.add((i + 1) + " " + rule);
        }
      }
    }
    return out;
  }

  static Set<String> found(String file) {
    Set<String> out = new TreeSet<>();
    for (Finding f : report.findings()) {
      if (f.file().equals(file)) {
        out.add(f.line() + " " + f.rule());
      }
    }
    return out;
  }

  @Test
  void lint_unsafeLoaders_everyMarkedLineAndNoOther() throws IOException {
    assertThat(expected("loaders.py")).hasSize(20);
    assertThat(found("loaders.py")).isEqualTo(expected("loaders.py"));
  }

  @Test
  void lint_requestInputReachingLoad_critical() throws IOException {
    assertThat(expected("web.py")).hasSize(3);
    assertThat(found("web.py")).isEqualTo(expected("web.py"));
    assertThat(report.findings())
        .filteredOn(f -> f.rule().equals("lint.request-path-load"))
        .allSatisfy(f -> assertThat(f.severity().id()).isEqualTo("critical"));
  }

  @Test
  void lint_localFunctionsNamedLoad_noFinding() {
    assertThat(found("lookalikes.py")).isEmpty();
  }

  @Test
  void lint_syntaxError_fileFailedWithLine() {
    FileReport broken =
        report.files().stream().filter(f -> f.path().equals("broken.py")).findFirst().get();
    assertThat(broken.status()).isEqualTo(FileStatus.FAILED);
    assertThat(broken.reason()).startsWith("lint.syntax-error at line 1");
  }

  @Test
  void lint_findingCarriesColumnAndSafeAlternative() {
    Finding torch =
        report.findings().stream()
            .filter(f -> f.rule().equals("lint.torch-load-unsafe"))
            .findFirst()
            .get();
    assertThat(torch.column()).isEqualTo(9);
    assertThat(torch.fix()).contains("weights_only=True").contains("modelseal verify --copy-to");
  }

  @Test
  void lint_pythonMissing_unavailable() {
    assertThatThrownBy(() -> PythonLinter.using("/nonexistent/python3").lint(app))
        .isInstanceOf(PythonUnavailableException.class)
        .hasMessageStartingWith("lint.python-missing");
  }

  @Test
  void lint_singleFile_namedByBasename() throws IOException {
    ScanReport one = PythonLinter.using("python3").lint(app.resolve("web.py"));
    assertThat(one.files()).extracting(FileReport::path).containsExactly("web.py");
    assertThat(one.findings()).hasSize(3);
  }
}
