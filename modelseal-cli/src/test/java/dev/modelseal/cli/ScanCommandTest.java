package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCommandTest {
  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(status, out.toString(), err.toString());
  }

  /** os.system('id') as protocol 0 text: c os / system, (S'id' tR. */
  static final String EVIL = "cos\nsystem\n(S'id'\ntR.";

  /** mypkg.Thing(): a non-allowlisted import, high severity. */
  static final String UNKNOWN = "cmypkg\nThing\n(tR.";

  Path file(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.ISO_8859_1);
    return p;
  }

  @Test
  void scan_cleanFolder_exit0() throws IOException {
    file("config.json", "{\"model_type\": \"llama\"}");
    Run r = run("scan", dir.toString());
    assertThat(r.status()).isEqualTo(ExitCode.OK);
    assertThat(r.out()).contains("1 file(s): 1 scanned, 0 skipped, 0 failed");
  }

  @Test
  void scan_dangerousPickle_exit1AndFindingPrinted() throws IOException {
    Run r = run("scan", file("model.pkl", EVIL).toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.out()).contains("CRITICAL pickle.dangerous-import").contains("os.system");
  }

  @Test
  void scan_failOnAboveFinding_exit0() throws IOException {
    Run r = run("scan", file("model.pkl", UNKNOWN).toString(), "--fail-on", "critical");
    assertThat(r.status()).isEqualTo(ExitCode.OK);
    assertThat(run("scan", dir.resolve("model.pkl").toString()).status())
        .isEqualTo(ExitCode.CHECK_FAILED);
  }

  @Test
  void scan_failedFile_exit1WhateverFailOnSays() throws IOException {
    Run r = run("scan", file("model.pkl", "\u0080\u0002N").toString(), "--fail-on", "critical");
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.out()).contains("failed");
  }

  @Test
  void scan_nothingScanned_exit3() throws IOException {
    Files.write(dir.resolve("blob.dat"), new byte[] {0, 1, 2, 3});
    Run r = run("scan", dir.toString());
    assertThat(r.status()).isEqualTo(ExitCode.NOTHING_TO_CHECK);
    assertThat(r.out()).contains("skipped: binary content of unknown type");
    assertThat(run("scan", Files.createDirectory(dir.resolve("empty")).toString()).status())
        .isEqualTo(ExitCode.NOTHING_TO_CHECK);
  }

  @Test
  void scan_missingPath_exit2() {
    Run r = run("scan", dir.resolve("nope").toString());
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("no such file or directory");
  }

  @Test
  void scan_badFormatOrSeverity_exit2() throws IOException {
    Path p = file("config.json", "{}");
    assertThat(run("scan", p.toString(), "--format", "xml").status())
        .isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(run("scan", p.toString(), "--fail-on", "extreme").status())
        .isEqualTo(ExitCode.CANNOT_RUN);
  }

  @Test
  void scan_jsonToOutputFile_summaryOnStderr() throws Exception {
    Path p = file("model.pkl", EVIL);
    Path out = dir.resolve("report.json");
    Run r = run("scan", p.toString(), "--format", "json", "--output", out.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("1 file(s): 1 scanned");
    JsonNode n = new ObjectMapper().readTree(out.toFile());
    assertThat(n.get("files").get(0).get("findings").get(0).get("rule").asText())
        .isEqualTo("pickle.dangerous-import");
  }

  @Test
  void scan_sarifToStdout_parses() throws Exception {
    Run r = run("scan", file("model.pkl", EVIL).toString(), "--format", "sarif");
    JsonNode n = new ObjectMapper().readTree(r.out());
    assertThat(n.get("version").asText()).isEqualTo("2.1.0");
    assertThat(n.get("runs").get(0).get("results").get(0).get("ruleId").asText())
        .isEqualTo("pickle.dangerous-import");
  }

  @Test
  void scan_allowlistFile_extendsAllowlist() throws IOException {
    Path p = file("model.pkl", UNKNOWN);
    Path allow = file("allow.txt", "# local classes\nmypkg Thing\n");
    assertThat(run("scan", p.toString(), "--allowlist", allow.toString()).status())
        .isEqualTo(ExitCode.OK);
  }

  @Test
  void scan_brokenAllowlist_exit2() throws IOException {
    Path p = file("model.pkl", UNKNOWN);
    Path allow = file("allow.txt", "just-one-token\n");
    Run r = run("scan", p.toString(), "--allowlist", allow.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("[allowlist.syntax]");
  }

  @Test
  void scan_noTensorStats_tensorValuesNotRead() throws IOException {
    Path npy = CliRun.fixture("numpy/dtype_f4.npy", dir);
    Run with = run("scan", npy.toString());
    assertThat(with.status()).isEqualTo(ExitCode.OK);
    assertThat(with.out()).contains("tensor.nan").contains("tensor.inf");
    Run without = run("scan", "--no-tensor-stats", npy.toString());
    assertThat(without.status()).isEqualTo(ExitCode.OK);
    assertThat(without.out()).doesNotContain("tensor.").contains("1 scanned");
  }

  @Test
  void scan_weightFileItsReaderRefuses_exit1WhateverFailOnSays() throws IOException {
    Path npy = CliRun.fixture("numpy/unicode_U2.npy", dir);
    Run r = run("scan", npy.toString(), "--fail-on", "critical");
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.out()).contains("HIGH     npy.descr-string");
  }
}
