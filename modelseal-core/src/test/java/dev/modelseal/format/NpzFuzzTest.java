package dev.modelseal.format;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Hostile npz archives: reading and streaming every member must end in success, a {@link
 * FormatException} or an {@link IOException}, never anything else. Deflated Fortran-order members
 * go through the heap or the scratch-file permutation depending on the input's parity, so both
 * paths are fuzzed. Seeds are numpy fixtures in NpzFuzzTestInputs/fuzz.
 */
class NpzFuzzTest {
  private static Path dir;

  @BeforeAll
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("npz-fuzz");
  }

  @AfterAll
  static void deleteDir() throws IOException {
    Files.deleteIfExists(dir.resolve("fuzz.npz"));
    Files.deleteIfExists(dir);
  }

  @FuzzTest(maxDuration = "5m")
  void fuzz(byte[] data) throws IOException {
    Path p = NumpyFixtures.write(dir, "fuzz.npz", data);
    long inMemory = data.length % 2 == 0 ? NpzFile.IN_MEMORY_PERMUTE_BYTES : 0;
    try (ModelFile file = ModelFile.open(p)) {
      NpzFile npz = NpzReader.read(file, ParseLimits.defaults());
      npz.metadata();
      for (TensorInfo t : npz.tensors()) {
        npz.storedBytes(t);
        npz.readCanonical(t, chunk -> chunk.get(chunk.limit() - 1), inMemory);
      }
    } catch (FormatException expected) {
      if (expected.rule() == null || expected.getMessage().indexOf('\n') >= 0) {
        throw new AssertionError("rule-less or multi-line message: " + expected.getMessage());
      }
    }
  }
}
