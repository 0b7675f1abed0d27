package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed corpus (made by src/test/python/make_scan_corpus.py): every attack file is caught
 * with the expected rule and severity; every benign control (written by the tools people use) comes
 * out clean.
 */
class ScanCorpusTest {
  private static ScanReport benign;
  private static ScanReport malicious;

  static Path corpus(String sub) throws URISyntaxException {
    return Path.of(ScanCorpusTest.class.getResource("corpus/" + sub).toURI());
  }

  @BeforeAll
  static void scan() throws Exception {
    benign = ModelScanner.create().scan(corpus("benign"));
    malicious = ModelScanner.create().scan(corpus("malicious"));
  }

  static FileReport file(ScanReport r, String path) {
    return r.files().stream()
        .filter(f -> f.path().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no report for " + path + " in " + r.files()));
  }

  @Test
  void benignControls_allScannedAndClean() {
    assertThat(benign.files()).hasSizeGreaterThanOrEqualTo(18);
    for (FileReport f : benign.files()) {
      assertThat(f.status()).as(f.path()).isEqualTo(FileStatus.SCANNED);
      assertThat(f.findings())
          .as(f.path())
          .allSatisfy(x -> assertThat(x.severity()).isEqualTo(Severity.INFO));
    }
    assertThat(benign.verdict(Severity.LOW)).isEqualTo(ScanReport.Verdict.CLEAN);
  }

  @Test
  void benignControls_identifiedAsWhatTheyAre() {
    assertThat(file(benign, "pytorch_model.bin").kind()).isEqualTo("pytorch-zip");
    assertThat(file(benign, "legacy.pt").kind()).isEqualTo("pytorch-legacy");
    assertThat(file(benign, "plain_p0.pkl").kind()).isEqualTo("pickle");
    assertThat(file(benign, "list_p0").kind()).isEqualTo("pickle");
    assertThat(file(benign, "hf_model/README.md").kind()).isEqualTo("text");
    assertThat(file(benign, "dense.keras").kind()).isEqualTo("keras");
    assertThat(file(benign, "chatml/chat_template.jinja").kind()).isEqualTo("template");
  }

  static Stream<Arguments> attacks() {
    return Stream.of(
        Arguments.of("os_system.pkl", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of("pip_main.pkl", "pickle.dangerous-import", Severity.CRITICAL, "pip.main"),
        Arguments.of(
            "collect_env_run.pkl",
            "pickle.dangerous-import",
            Severity.CRITICAL,
            "torch.utils.collect_env.run"),
        Arguments.of(
            "numpy_runstring.pkl",
            "pickle.dangerous-import",
            Severity.CRITICAL,
            "numpy.testing._private.utils.runstring"),
        Arguments.of(
            "function_type_marshal.pkl",
            "pickle.dangerous-import",
            Severity.CRITICAL,
            "types.FunctionType"),
        Arguments.of(
            "function_type_marshal.pkl",
            "pickle.dangerous-import",
            Severity.CRITICAL,
            "marshal.loads"),
        Arguments.of(
            "builtins_exec_p0", "pickle.dangerous-import", Severity.CRITICAL, "__builtin__.exec"),
        Arguments.of(
            "getattr_chain.pkl", "pickle.dangerous-import", Severity.CRITICAL, "builtins.getattr"),
        Arguments.of("getattr_chain.pkl", "pickle.indirect-call", Severity.HIGH, null),
        Arguments.of(
            "nested_loads.pkl", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of(
            "nested_loads_p2.pkl", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of(
            "two_streams.pkl", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of("two_streams.pkl", "pickle.multiple-streams", Severity.LOW, null),
        Arguments.of("junk_after_stop.pkl", "pickle.data-after-stop", Severity.MEDIUM, null),
        Arguments.of("disguised.txt", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of("disguised.txt", "pickle.disguised", Severity.MEDIUM, null),
        Arguments.of(
            "torch_os_system.pt", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of(
            "torch_encrypted_flag.pt",
            "pickle.dangerous-import",
            Severity.CRITICAL,
            "posix.system"),
        Arguments.of("torch_encrypted_flag.pt", "zip.encryption-flag", Severity.HIGH, null),
        Arguments.of(
            "torch_crc_error.pt", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of("torch_crc_error.pt", "zip.crc-mismatch", Severity.HIGH, null),
        Arguments.of(
            "torch_local_name_mismatch.pt",
            "pickle.dangerous-import",
            Severity.CRITICAL,
            "posix.system"),
        Arguments.of(
            "torch_local_name_mismatch.pt", "zip.local-name-mismatch", Severity.HIGH, null),
        Arguments.of("torchscript.pt", "torchscript.code", Severity.HIGH, null),
        Arguments.of(
            "legacy_os_system.pt", "pickle.dangerous-import", Severity.CRITICAL, "posix.system"),
        Arguments.of("lambda.keras", "keras.lambda-layer", Severity.CRITICAL, "Lambda"),
        Arguments.of("lambda.keras", "keras.non-keras-module", Severity.CRITICAL, "os"),
        Arguments.of(
            "ssti_dunder/tokenizer_config.json",
            "template.ssti",
            Severity.CRITICAL,
            "__subclasses__"),
        Arguments.of(
            "ssti_escape/chat_template.jinja", "template.ssti", Severity.CRITICAL, "__globals__"),
        Arguments.of(
            "ssti_escape/chat_template.jinja", "template.obfuscated-string", Severity.HIGH, null),
        Arguments.of(
            "ssti_concat/chat_template.jinja", "template.ssti", Severity.CRITICAL, "__class__"),
        Arguments.of(
            "ssti_concat/chat_template.jinja", "template.ssti", Severity.CRITICAL, "popen"),
        Arguments.of("remote_code/config.json", "config.remote-code", Severity.HIGH, null),
        Arguments.of("remote_code/modeling_custom.py", "code.python-file", Severity.HIGH, null),
        Arguments.of(
            "duplicate_key/config.json", "json.duplicate-key", Severity.HIGH, "model_type"));
  }

  @ParameterizedTest(name = "{0}: {1} {3}")
  @MethodSource("attacks")
  void attack_detectedWithRuleAndSeverity(
      String path, String rule, Severity severity, String subject) {
    FileReport f = file(malicious, path);
    assertThat(f.findings())
        .as(path)
        .anySatisfy(
            x -> {
              assertThat(x.rule()).isEqualTo(rule);
              assertThat(x.severity()).isEqualTo(severity);
              if (subject != null) {
                assertThat(x.subject()).isEqualTo(subject);
              }
              assertThat(x.file()).isEqualTo(path);
            });
  }

  @Test
  void everyAttackFile_failsTheScan() {
    for (FileReport f : malicious.files()) {
      boolean bad =
          f.status() == FileStatus.FAILED
              || f.findings().stream().anyMatch(x -> x.severity().atLeast(Severity.MEDIUM));
      assertThat(bad).as(f.path() + " " + f.findings()).isTrue();
    }
    assertThat(malicious.verdict(Severity.HIGH)).isEqualTo(ScanReport.Verdict.FINDINGS);
  }

  @Test
  void zipMemberFindings_locatedAtTheMember() {
    Finding f =
        file(malicious, "torch_os_system.pt").findings().stream()
            .filter(x -> x.rule().equals("pickle.dangerous-import"))
            .findFirst()
            .orElseThrow();
    assertThat(f.location()).isEqualTo("archive/data.pkl offset 2");
  }

  @Test
  void corpusCoversEveryFile() {
    Map<String, Long> perFile =
        malicious.files().stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    FileReport::path, r -> (long) r.findings().size()));
    List<String> withoutFindings =
        perFile.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList();
    assertThat(withoutFindings).isEmpty();
  }
}
