package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelseal.tensor.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming a tensor that needs rewriting must not leave the whole file mapped as resident. */
class MappedPagesTest {
  private static final Path SMAPS = Path.of("/proc/self/smaps");

  @TempDir Path dir;

  /** Resident kilobytes of every mapping of {@code file}, from the kernel's own account. */
  private static long residentKib(Path file) throws Exception {
    String name = file.toRealPath().toString();
    long kib = 0;
    boolean inFile = false;
    for (String line : Files.readAllLines(SMAPS)) {
      if (!line.isEmpty()
          && Character.isLetterOrDigit(line.charAt(0))
          && line.contains("-")
          && !line.contains(":  ")) {
        inFile = line.endsWith(" " + name);
      } else if (inFile && line.startsWith("Rss:")) {
        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return kib;
  }

  private static byte[] canonicalDigest(WeightFile f, TensorInfo t) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    f.readCanonical(t, (ByteBuffer chunk) -> md.update(chunk));
    return md.digest();
  }

  @Test
  void readCanonical_bigEndianNpy_pagesHandedBackAndBytesStillReadable() throws Exception {
    assumeTrue(Files.isReadable(SMAPS), "no /proc/self/smaps: resident memory not observable");
    int n = 10 << 20; // 40 MiB of big-endian float32, byte-swapped on the way
    byte[] data = new byte[n * 4];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + (i >>> 9));
    }
    Path file = dir.resolve("big-endian.npy");
    Files.write(file, NpyBytes.npy(">f4", false, "(" + n + ",)", data));
    try (WeightFile f = WeightFiles.open(file, ParseLimits.defaults()).orElseThrow()) {
      TensorInfo t = f.tensors().get(0);
      assertThat(f.storedCanonically(t)).isFalse();
      f.storedBytes(t).load(); // everything resident, as after reading it through the mapping
      assertThat(residentKib(file)).isGreaterThan(30 << 10);

      byte[] first = canonicalDigest(f, t);

      // At most one release step (8 MiB) may stay resident; the whole 40 MiB would without it.
      assertThat(residentKib(file)).isLessThanOrEqualTo(MappedPages.RELEASE_BYTES >> 10);
      assertThat(canonicalDigest(f, t)).isEqualTo(first);
      byte[] swapped = new byte[data.length];
      for (int i = 0; i < data.length; i += 4) {
        for (int b = 0; b < 4; b++) {
          swapped[i + b] = data[i + 3 - b];
        }
      }
      assertThat(first).isEqualTo(MessageDigest.getInstance("SHA-256").digest(swapped));
    }
  }
}
