package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.format.ParseLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;

class TemplateInspectorFuzzTest {
  // Small budgets keep each input fast; hitting them is part of what is fuzzed.
  private static final TemplateInspector.Budget BUDGET =
      new TemplateInspector.Budget(20_000, 100, 200_000);

  /**
   * Lexer, parser and judge never throw on hostile text (only our own exception, caught inside,
   * becomes template.unparseable), and a template that could not be judged is never clean.
   */
  @FuzzTest(maxDuration = "5m")
  void fuzzTemplate(byte[] data) {
    String t = new String(data, StandardCharsets.UTF_8);
    List<Finding> f = TemplateInspector.inspect(t, "t", ParseLimits.defaults(), BUDGET);
    if (f.stream().anyMatch(TemplateInspector::notScanned)) {
      assertThat(f).anyMatch(x -> x.severity().atLeast(Severity.HIGH));
    }
    for (Finding x : f) {
      assertThat(x.message()).doesNotContain("\n");
    }
  }
}
