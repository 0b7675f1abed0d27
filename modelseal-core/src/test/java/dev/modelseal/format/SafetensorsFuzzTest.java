package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the safetensors reader and the strict JSON parser on arbitrary bytes. In the normal build
 * this replays the seeds in {@code SafetensorsFuzzTestInputs/}; with {@code JAZZER_FUZZ=1} it
 * fuzzes for five minutes per target. The only acceptable failure is a {@link FormatException} with
 * a one-line message and a rule of the format's family; a valid file must satisfy the reader's
 * guarantees (exact tiling, streamable data).
 */
class SafetensorsFuzzTest {
  private static Path scratch;

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({
    "\"__metadata__\"",
    "\"dtype\"",
    "\"shape\"",
    "\"data_offsets\"",
    "\"BOOL\"",
    "\"F4\"",
    "\"F6_E2M3\"",
    "\"F8_E4M3\"",
    "\"F32\"",
    "\"I64\"",
    "\"C64\"",
    "\\ud800",
    "9223372036854775807",
    "18446744073709551615",
    "1e3",
    "-0",
    "null",
  })
  void read_arbitraryBytes_formatExceptionOrConsistentFile(byte[] data) throws IOException {
    Path file = scratchFile();
    Files.write(file, data);
    try (ModelFile model = ModelFile.open(file)) {
      SafetensorsFile st;
      try {
        st = SafetensorsReader.read(model, ParseLimits.defaults());
      } catch (FormatException e) {
        assertWellFormed(e);
        return;
      }
      // Closing the ModelFile closes st too; st is not closed separately.
      long cursor = st.dataOffset();
      for (TensorInfo t : st.tensors()) {
        assertThat(t.offset()).isEqualTo(cursor);
        assertThat(st.storedBytes(t).byteSize()).isEqualTo(t.nbytes());
        assertThat(t.dtype().byteSize(t.shape().elementCount().orElseThrow()))
            .isEqualTo(t.nbytes());
        cursor += t.nbytes();
        long[] streamed = {0};
        try {
          st.readCanonical(
              t,
              chunk -> {
                assertThat((long) chunk.remaining())
                    .isLessThanOrEqualTo(SafetensorsFile.CHUNK_BYTES);
                streamed[0] += chunk.remaining();
              });
          assertThat(streamed[0]).isEqualTo(t.nbytes());
        } catch (FormatException e) {
          assertWellFormed(e);
          assertThat(e.rule()).isEqualTo("safetensors.bool-not-0-or-1");
          assertThat(t.dtype()).isEqualTo(DType.BOOL);
        }
      }
      assertThat(cursor).isEqualTo(model.size());
    } catch (FormatException e) {
      throw new AssertionError("opening a regular file failed", e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void parse_arbitraryBytes_formatExceptionOrTree(byte[] data) {
    try {
      assertThat(StrictJson.parse(data, ParseLimits.defaults(), Path.of("x.json"), "json"))
          .isNotNull();
    } catch (FormatException e) {
      assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
      assertThat(e.rule()).matches("json-[a-z0-9-]+|limit\\.max-json-depth");
    }
  }

  private static void assertWellFormed(FormatException e) {
    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
    assertThat(e.rule()).matches("safetensors\\.[a-z0-9-]+|limit\\.[a-z-]+");
  }

  private static synchronized Path scratchFile() throws IOException {
    if (scratch == null) {
      Path dir = Files.createTempDirectory("safetensors-fuzz");
      dir.toFile().deleteOnExit();
      scratch = dir.resolve("input.safetensors");
      scratch.toFile().deleteOnExit();
    }
    return scratch;
  }
}
