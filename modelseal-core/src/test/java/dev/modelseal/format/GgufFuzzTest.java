package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to {@link GgufReader}. A file must either be rejected with a {@link
 * FormatException} or be accepted and then fully usable: metadata rendered, every value decoded,
 * every tensor streamed. Anything else (a RuntimeException, an Error, a hang) is a bug.
 */
class GgufFuzzTest {
  private static final Path FILE = Path.of("fuzz.gguf");

  @FuzzTest(maxDuration = "5m")
  void fuzzRead(byte[] data) {
    GgufFile f;
    try {
      f = GgufReader.parse(null, MemorySegment.ofArray(data), FILE, ParseLimits.defaults());
    } catch (FormatException e) {
      assertThat(e.rule()).matches("(gguf|limit)\\.[a-z0-9-]+");
      assertThat(e.getMessage()).doesNotContain("\n");
      return;
    }
    try {
      checkAccepted(f, data.length);
    } catch (IOException e) {
      // Allowed by the contract; cannot happen for bytes in memory with a no-op sink.
    }
  }

  private static void checkAccepted(GgufFile f, long size) throws IOException {
    assertThat(f.metadata()).hasSameSizeAs(f.values());
    for (GgufValue v : f.values().values()) {
      if (v instanceof GgufValue.Array a) {
        long n = 0;
        for (GgufValue e : a) {
          touch(e);
          n++;
        }
        assertThat(n).isEqualTo(a.length());
      } else {
        touch(v);
      }
    }
    long end = f.dataOffset();
    for (TensorInfo t : f.tensors()) {
      assertThat(t.offset()).isGreaterThanOrEqualTo(end);
      assertThat(t.offset() % f.alignment()).isEqualTo(f.dataOffset() % f.alignment());
      assertThat(t.offset() + t.nbytes()).isLessThanOrEqualTo(size);
      long[] streamed = {0};
      f.readCanonical(t, chunk -> streamed[0] += chunk.remaining());
      assertThat(streamed[0]).isEqualTo(t.nbytes());
      end = t.offset() + t.nbytes();
    }
    if (!f.tensors().isEmpty()) {
      assertThat(size - end).isLessThan(f.alignment());
    }
  }

  private static void touch(GgufValue v) {
    if (v instanceof GgufValue.Text t) {
      assertThat((long) t.text().length()).isLessThanOrEqualTo(t.byteLength());
    }
  }
}
