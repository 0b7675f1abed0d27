package dev.modelseal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class OneLineTest {
  @Test
  void of_controlCharacters_escapedAsHex() {
    assertThat(OneLine.of("a\nb\rc\u0000d\u001b[2Je\u007ff\u0085g\u009bh"))
        .isEqualTo("a\\x0ab\\x0dc\\x00d\\x1b[2Je\\x7ff\\x85g\\x9bh");
  }

  @Test
  void of_lineSeparatorsAndLoneSurrogates_escapedAsUnicode() {
    assertThat(OneLine.of("a\u2028b\u2029c\ud800d\udc00"))
        .isEqualTo("a\\u2028b\\u2029c\\ud800d\\udc00");
    assertThat(OneLine.of("x\ud83d")).isEqualTo("x\\ud83d");
  }

  @Test
  void of_printableTextAndSurrogatePairs_keptAsIs() {
    String s = "model-00001-of-00002.safetensors é 模型 \ud83d\ude00 \t".strip();
    assertThat(OneLine.of(s)).isEqualTo(s);
  }

  @Test
  void of_longText_cutAtMaxWithMark() {
    assertThat(OneLine.of("abcdef", 3)).isEqualTo("abc...");
    assertThat(OneLine.of("abc", 3)).isEqualTo("abc");
    assertThat(OneLine.of("\n\n\n", 5)).isEqualTo("\\x0a\\x0a...");
    assertThat(OneLine.of("x".repeat(1 << 20))).hasSize(1 << 20);
  }

  @Test
  void of_nonPositiveMax_rejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> OneLine.of("a", 0));
  }
}
