package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.GgufFile;
import dev.modelseal.format.GgufReader;
import dev.modelseal.format.GgufValue;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GGUF content, by its {@code GGUF} magic. Read by the strict reader (a rejection fails the file
 * under the reader's rule). Every {@code tokenizer.chat_template} and {@code
 * tokenizer.chat_template.<name>} string is a Jinja template that llama.cpp-based servers render
 * (CVE-2024-34359): each goes through {@link TemplateInspector}, located by its key. Other scalar
 * strings get the cheap {@link MetadataStrings} heuristics; string arrays (vocabularies, merges)
 * and the embedded {@code tokenizer.huggingface.json} are vocabulary, where code-like tokens are
 * normal, and are left out. Tensor values are counted by {@link TensorValueCheck} (quantized blocks
 * only for all-zero bytes).
 */
final class GgufScanner implements ContentScanner {
  private static final String CHAT_TEMPLATE = "tokenizer.chat_template";

  /** Keys whose value is a tokenizer, not prose. */
  private static final Set<String> VOCABULARY_KEYS = Set.of("tokenizer.huggingface.json");

  /** Last key segments of the GGUF general keys that exist to hold a link. */
  private static final Set<String> LINK_KEYS = Set.of("url", "repo_url", "link", "doi");

  @Override
  public boolean identifies(Content c) {
    return c.size() >= 4
        && c.byteAt(0) == 'G'
        && c.byteAt(1) == 'G'
        && c.byteAt(2) == 'U'
        && c.byteAt(3) == 'F';
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    List<String> failures = new ArrayList<>();
    try (GgufFile file = GgufReader.read(FormatReading.file(c), ctx.limits())) {
      FormatReading.warnings(file.warnings(), c, ctx);
      MetadataStrings metadata = new MetadataStrings(ctx.findings(), c.where());
      for (Map.Entry<String, GgufValue> e : file.values().entrySet()) {
        if (!(e.getValue() instanceof GgufValue.Text text)) {
          continue;
        }
        String key = e.getKey();
        if (isChatTemplate(key)) {
          if (!inspectTemplate(key, text, c, ctx)) {
            failures.add("chat template " + Text.oneLine(key) + " too large to scan");
          }
        } else if (!VOCABULARY_KEYS.contains(key)) {
          metadata.inspect(key, prefix(text), LINK_KEYS.contains(lastSegment(key)));
        }
      }
      metadata.finish();
      failures.addAll(TensorValueCheck.run(file, c, ctx));
    } catch (FormatException e) {
      failures.add(FormatReading.rejected(e, c, ctx, "the GGUF reader rejects it"));
    } catch (IOException e) {
      throw new IllegalStateException(e); // closing bytes the scan holds cannot fail
    }
    return failures.isEmpty()
        ? Outcome.scanned("gguf")
        : Outcome.failed("gguf", String.join("; ", failures));
  }

  static boolean isChatTemplate(String key) {
    return key.equals(CHAT_TEMPLATE) || key.startsWith(CHAT_TEMPLATE + ".");
  }

  /**
   * Inspects one template; false when it is too large to scan (reported). The size is checked on
   * the stored bytes, before anything is decoded.
   */
  private static boolean inspectTemplate(
      String key, GgufValue.Text text, Content c, ScanContext ctx) {
    String where = Findings.at(c.where(), "key " + key);
    long max = ctx.limits().maxTextBytes();
    if (text.byteLength() > max) {
      ctx.findings()
          .add(
              "template.too-large",
              Severity.HIGH,
              where,
              text.byteLength() + " bytes",
              "template larger than " + max + " bytes: not scanned");
      return false;
    }
    boolean scanned = true;
    for (Finding f : TemplateInspector.inspect(text.text(), where, ctx.limits())) {
      scanned &= !TemplateInspector.notScanned(f);
      ctx.findings().addAll(List.of(f));
    }
    return scanned;
  }

  /** The start of a string, decoded without decoding the rest (strings may be 1 GiB long). */
  private static String prefix(GgufValue.Text text) {
    long n = Math.min(text.byteLength(), 4L * MetadataStrings.MAX_CHARS);
    return new String(
        text.bytes().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  private static String lastSegment(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }
}
