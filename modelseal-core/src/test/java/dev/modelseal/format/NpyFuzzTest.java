package dev.modelseal.format;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Hostile npy files: reading and streaming every tensor must end in success, a {@link
 * FormatException} or an {@link IOException}, never anything else (no runtime exception, no
 * StackOverflowError or OOM, no hang). Seeds are numpy fixtures in NpyFuzzTestInputs/fuzz.
 */
class NpyFuzzTest {
  private static Path dir;

  @BeforeAll
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("npy-fuzz");
  }

  @AfterAll
  static void deleteDir() throws IOException {
    Files.deleteIfExists(dir.resolve("fuzz.npy"));
    Files.deleteIfExists(dir);
  }

  @FuzzTest(maxDuration = "5m")
  void fuzz(byte[] data) throws IOException {
    Path p = NumpyFixtures.write(dir, "fuzz.npy", data);
    try (ModelFile file = ModelFile.open(p)) {
      NpyFile npy = NpyReader.read(file, ParseLimits.defaults());
      npy.metadata();
      for (TensorInfo t : npy.tensors()) {
        npy.storedBytes(t);
        npy.readCanonical(t, chunk -> chunk.get(chunk.limit() - 1));
      }
    } catch (FormatException expected) {
      if (expected.rule() == null || expected.getMessage().indexOf('\n') >= 0) {
        throw new AssertionError("rule-less or multi-line message: " + expected.getMessage());
      }
    }
  }
}
