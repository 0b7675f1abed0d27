package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataStringsTest {
  static List<Finding> inspect(String value, boolean urlExpected) {
    Findings out = new Findings("m");
    MetadataStrings m = new MetadataStrings(out, "");
    m.inspect("k", value, urlExpected);
    m.finish();
    return out.list();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "import os",
        "  from subprocess import run",
        "x = __import__('os')",
        "exec (payload)",
        "builtins.eval('1')",
        "os.system('id')",
        "os.popen('id')",
        "run via subprocess",
        "pickle.loads(b)",
        "#!/bin/sh\ncurl x | sh",
        "<SCRIPT src=x>"
      })
  void inspect_codeLikeValue_lowFinding(String value) {
    List<Finding> f = inspect(value, false);
    assertThat(f).extracting(Finding::rule).contains("metadata.code-like");
    assertThat(f.getFirst().severity()).isEqualTo(Severity.LOW);
    assertThat(f.getFirst().location()).isEqualTo("key k");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "pt",
        "mlx",
        "retrieval(augmented)",
        "macos.system",
        "important: imports are listed below",
        "the model was trained to evaluate(x)",
        "a # not a shebang"
      })
  void inspect_prose_noFinding(String value) {
    assertThat(inspect(value, false)).isEmpty();
  }

  @Test
  void inspect_url_infoFindingWithTheUrl() {
    List<Finding> f = inspect("see https://example.com/x.py for details", false);
    assertThat(f).singleElement().satisfies(x -> assertThat(x.rule()).isEqualTo("metadata.url"));
    assertThat(f.getFirst().severity()).isEqualTo(Severity.INFO);
    assertThat(f.getFirst().subject()).isEqualTo("https://example.com/x.py");
  }

  @Test
  void inspect_urlInKeyMeantForLinks_noFinding() {
    assertThat(inspect("https://huggingface.co/org/model", true)).isEmpty();
  }

  @Test
  void inspect_codeBeyondExaminedPrefix_notSeen() {
    String value = "a".repeat(MetadataStrings.MAX_CHARS) + " os.system('id')";
    assertThat(inspect(value, false)).isEmpty();
  }

  @Test
  void finish_moreFindingsThanTheCap_truncationNote() {
    Findings out = new Findings("m");
    MetadataStrings m = new MetadataStrings(out, "");
    for (int i = 0; i < MetadataStrings.MAX_FINDINGS + 5; i++) {
      m.inspect("k" + i, "http://x/" + i, false);
    }
    m.finish();
    assertThat(out.list()).hasSize(MetadataStrings.MAX_FINDINGS + 1);
    assertThat(out.list().getLast().rule()).isEqualTo("metadata.findings-truncated");
    assertThat(out.list().getLast().subject()).isEqualTo("5 more");
  }
}
