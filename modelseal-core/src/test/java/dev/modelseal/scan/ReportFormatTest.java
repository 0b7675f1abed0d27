package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportFormatTest {
  static final ScanReport REPORT =
      new ScanReport(
          "model",
          List.of(
              new FileReport(
                  "dir/evil model.pkl",
                  "pickle",
                  FileStatus.SCANNED,
                  "",
                  List.of(
                      new Finding(
                          "pickle.dangerous-import",
                          Severity.CRITICAL,
                          "dir/evil model.pkl",
                          "offset 2",
                          "os.system",
                          "imports a known-dangerous callable"),
                      new Finding(
                          "pickle.data-after-stop",
                          Severity.MEDIUM,
                          "dir/evil model.pkl",
                          "offset 30",
                          "",
                          "junk\nafter stop"))),
              new FileReport(
                  "blob",
                  "unknown",
                  FileStatus.SKIPPED,
                  "binary content of unknown type",
                  List.of(
                      new Finding(
                          "file.unknown-binary", Severity.LOW, "blob", "", "blob", "not scanned"))),
              new FileReport("c:broken.pkl", "pickle", FileStatus.FAILED, "truncated", List.of())));

  static String write(ReportFormat f) throws Exception {
    StringWriter w = new StringWriter();
    f.write(REPORT, w);
    return w.toString();
  }

  @Test
  void text_findingsAndSummary() throws Exception {
    String t = write(ReportFormat.TEXT);
    assertThat(t).contains("dir/evil model.pkl  [pickle, scanned]");
    assertThat(t).contains("CRITICAL pickle.dangerous-import at offset 2: os.system");
    assertThat(t).contains("blob  [unknown, skipped: binary content of unknown type]");
    assertThat(t)
        .contains(
            "3 file(s): 1 scanned, 1 skipped, 1 failed; findings: 1 critical, 0 high, 1 medium, 1 low, 0 info");
    // Messages from hostile files stay on one line.
    assertThat(t).contains("junk\\x0aafter stop");
  }

  @Test
  void text_pathWithTerminalEscape_escaped() throws Exception {
    ScanReport r =
        new ScanReport(
            "x",
            List.of(
                new FileReport("evil\u001b[2Jname", "text", FileStatus.SCANNED, "", List.of())));
    StringWriter w = new StringWriter();
    ReportFormat.TEXT.write(r, w);
    assertThat(w.toString()).contains("evil\\x1b[2Jname").doesNotContain("\u001b");
  }

  @Test
  void json_stableStructure() throws Exception {
    JsonNode n = new ObjectMapper().readTree(write(ReportFormat.JSON));
    assertThat(n.get("summary").get("failed").asInt()).isEqualTo(1);
    assertThat(n.get("summary").get("findings").get("critical").asInt()).isEqualTo(1);
    JsonNode f = n.get("files").get(0);
    assertThat(f.get("path").asText()).isEqualTo("dir/evil model.pkl");
    assertThat(f.get("status").asText()).isEqualTo("scanned");
    JsonNode x = f.get("findings").get(0);
    assertThat(x.get("rule").asText()).isEqualTo("pickle.dangerous-import");
    assertThat(x.get("severity").asText()).isEqualTo("critical");
    assertThat(x.get("subject").asText()).isEqualTo("os.system");
    assertThat(x.get("location").asText()).isEqualTo("offset 2");
  }

  /**
   * The SARIF 2.1.0 schema's required properties, checked by hand: sarifLog {version, runs}, run
   * {tool}, tool {driver}, driver {name}, result {message}, message {text}, reportingDescriptor
   * {id}, level in its enum, artifactLocation uri a valid URI reference, ruleIndex pointing at the
   * rule with the same id, notification {message}.
   */
  @Test
  void sarif_requiredPropertiesOfTheSchema() throws Exception {
    JsonNode log = new ObjectMapper().readTree(write(ReportFormat.SARIF));
    assertThat(log.get("version").asText()).isEqualTo("2.1.0");
    assertThat(log.get("$schema").asText()).contains("sarif-2.1.0");
    assertThat(log.get("runs").isArray()).isTrue();
    JsonNode run = log.get("runs").get(0);
    JsonNode driver = run.get("tool").get("driver");
    assertThat(driver.get("name").asText()).isEqualTo("modelseal");
    JsonNode rules = driver.get("rules");
    assertThat(rules).hasSize(3);
    for (JsonNode r : rules) {
      assertThat(r.get("id").isTextual()).isTrue();
      assertThat(r.get("shortDescription").get("text").asText()).isNotEmpty();
      assertThat(r.get("defaultConfiguration").get("level").asText())
          .isIn("none", "note", "warning", "error");
    }
    JsonNode results = run.get("results");
    assertThat(results).hasSize(3);
    for (JsonNode res : results) {
      assertThat(res.get("message").get("text").asText()).isNotEmpty();
      assertThat(res.get("level").asText()).isIn("none", "note", "warning", "error");
      int idx = res.get("ruleIndex").asInt();
      assertThat(rules.get(idx).get("id").asText()).isEqualTo(res.get("ruleId").asText());
      String uri =
          res.get("locations")
              .get(0)
              .get("physicalLocation")
              .get("artifactLocation")
              .get("uri")
              .asText();
      assertThat(java.net.URI.create(uri).isAbsolute()).isFalse();
    }
    assertThat(results.get(0).get("level").asText()).isEqualTo("error");
    assertThat(results.get(1).get("level").asText()).isEqualTo("warning");
    assertThat(results.get(2).get("level").asText()).isEqualTo("note");
    assertThat(
            results
                .get(0)
                .get("locations")
                .get(0)
                .get("physicalLocation")
                .get("artifactLocation")
                .get("uri")
                .asText())
        .isEqualTo("dir/evil%20model.pkl");
    JsonNode inv = run.get("invocations").get(0);
    assertThat(inv.get("executionSuccessful").asBoolean()).isFalse();
    assertThat(inv.get("toolExecutionNotifications")).hasSize(2);
    Set<String> allowedTop =
        Set.of("$schema", "version", "runs", "inlineExternalProperties", "properties");
    log.fieldNames().forEachRemaining(k -> assertThat(allowedTop).contains(k));
  }

  @Test
  void uri_colonInFirstSegment_notMistakenForScheme() {
    assertThat(ReportFormat.uri("c:broken.pkl")).isEqualTo("./c:broken.pkl");
    assertThat(java.net.URI.create(ReportFormat.uri("c:broken.pkl")).getScheme()).isNull();
  }

  @Test
  void verdict_failedFileFailsWhateverTheThreshold() {
    assertThat(REPORT.verdict(Severity.CRITICAL)).isEqualTo(ScanReport.Verdict.FINDINGS);
    ScanReport clean =
        new ScanReport(
            "x", List.of(new FileReport("a", "text", FileStatus.SCANNED, "", List.of())));
    assertThat(clean.verdict(Severity.INFO)).isEqualTo(ScanReport.Verdict.CLEAN);
  }
}
