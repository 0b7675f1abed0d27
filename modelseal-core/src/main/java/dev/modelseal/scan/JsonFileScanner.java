package dev.modelseal.scan;

import com.fasterxml.jackson.core.JsonToken;
import dev.modelseal.format.FormatException;
import java.util.List;

/**
 * JSON files: Hugging Face configs ({@code auto_map}, {@code model_file}: remote code), chat
 * templates in {@code tokenizer_config.json} / {@code chat_template.json} (a string, or a list of
 * {@code {name, template}}), Keras archive configs (see {@link KerasConfigRules}), and duplicate
 * keys in any of them (a parser differential).
 */
final class JsonFileScanner implements ContentScanner {
  @Override
  public boolean identifies(Content c) {
    return c.extension().equals("json");
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    boolean inKeras = c.container().equals("keras") && c.baseName().equals("config.json");
    // Keras loads a config.json by content, not by the archive it came in: an unzipped .keras
    // folder, or a zip without metadata.json. Its findings count once the top level looks like a
    // serialised Keras object (class_name beside config or module).
    Findings kerasOut = inKeras ? ctx.findings() : new Findings(ctx.findings().file());
    KerasConfigRules kerasRules =
        inKeras || c.baseName().equals("config.json")
            ? new KerasConfigRules(kerasOut, c.where())
            : null;
    java.util.Set<String> topKeys = new java.util.HashSet<>();
    Findings out = ctx.findings();
    boolean[] tooLarge = {false};
    try {
      JsonWalker.walk(
          c.data(),
          ctx.limits(),
          new JsonWalker.Visitor() {
            @Override
            public void scalar(List<String> path, JsonToken token, String text) {
              String key = JsonWalker.path(path);
              String where = Findings.at(c.where(), "key " + key);
              if (!path.isEmpty()) {
                String top = path.getFirst();
                if (top.equals("auto_map")) {
                  out.add(
                      "config.remote-code",
                      Severity.HIGH,
                      where,
                      key + " = " + text,
                      "auto_map names Python classes that transformers downloads and runs when"
                          + " remote code is trusted");
                } else if (top.equals("model_file") && path.size() == 1) {
                  out.add(
                      "config.remote-code",
                      Severity.HIGH,
                      where,
                      key + " = " + text,
                      "model_file names a Python file that mlx-lm loads and runs");
                } else if (top.equals("chat_template")
                    && token == JsonToken.VALUE_STRING
                    && (path.size() == 1 || (path.size() == 3 && path.get(2).equals("template")))) {
                  for (Finding f : TemplateInspector.inspect(text, where, ctx.limits())) {
                    tooLarge[0] |= TemplateInspector.notScanned(f);
                    out.addAll(List.of(f));
                  }
                }
              }
              if (kerasRules != null) {
                if (!path.isEmpty()) {
                  topKeys.add(path.getFirst());
                }
                kerasRules.scalar(path, token, text);
              }
            }

            @Override
            public void duplicateKey(List<String> path, String key) {
              String at = JsonWalker.path(path);
              out.add(
                  "json.duplicate-key",
                  Severity.HIGH,
                  Findings.at(c.where(), "key " + (at.isEmpty() ? key : at + "." + key)),
                  key,
                  "duplicate key: Python keeps the last value, other parsers the first (parser"
                      + " differential)");
            }
          });
    } catch (FormatException e) {
      out.add(e.rule(), Severity.HIGH, c.where(), "", "JSON could not be parsed: " + detail(e));
      return Outcome.failed("json", e.rule() + ": " + detail(e));
    }
    boolean keras =
        inKeras
            || (kerasRules != null
                && topKeys.contains("class_name")
                && (topKeys.contains("config") || topKeys.contains("module")));
    if (keras && !inKeras) {
      out.addAll(kerasOut.list());
    }
    if (tooLarge[0]) {
      return Outcome.failed("json", "chat template too large to scan");
    }
    return Outcome.scanned(keras ? "keras-config" : "json");
  }

  static String detail(FormatException e) {
    String m = e.getMessage();
    int close = m.indexOf("] ");
    return close >= 0 ? m.substring(close + 2) : m;
  }
}
