package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real chat templates, written from their public form: the judge must find nothing in them. */
class RealChatTemplatesTest {
  static String fixture(String name) throws IOException {
    try (InputStream in = RealChatTemplatesTest.class.getResourceAsStream("templates/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "llama-3.1-tools.jinja",
        "qwen2.5-tools.jinja",
        "qwen3-thinking.jinja",
        "mistral-v0.3-tools.jinja",
        "gemma-2.jinja",
        "gemma-3.jinja",
        "phi-3.jinja",
        "deepseek-v3.jinja",
        "deepseek-r1.jinja",
        "hermes-2-pro-tool-use.jinja",
        "chatml.jinja"
      })
  void inspect_realChatTemplate_noFindings(String name) throws IOException {
    assertThat(TemplateInspector.inspect(fixture(name), name)).isEmpty();
  }
}
