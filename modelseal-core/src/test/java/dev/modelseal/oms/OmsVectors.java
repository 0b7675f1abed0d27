package dev.modelseal.oms;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Locates the shared OMS test vectors (../shared/vectors/oms) and copies models out of them. */
final class OmsVectors {
  private OmsVectors() {}

  /** The vectors folder, or the test is skipped when /work/shared is absent. */
  static Path root() {
    String shared = System.getProperty("modelseal.shared");
    Path p = shared == null ? null : Path.of(shared, "vectors", "oms");
    assumeTrue(
        p != null && Files.isDirectory(p),
        "shared OMS vectors (" + p + ") absent: skipping vector tests");
    return p;
  }

  /**
   * The key the tamper tests re-sign with: the vectors' P-384 key (SEC1 PEM with a text preamble)
   * when the vectors are present, otherwise a fresh P-384 key so the tests still run.
   */
  static SigningKey tamperKey() throws Exception {
    String shared = System.getProperty("modelseal.shared");
    Path p =
        shared == null
            ? null
            : Path.of(shared, "vectors/oms/model-transparency/keys/certificate/signing-key.pem");
    return p != null && Files.isRegularFile(p)
        ? KeyFiles.readPrivateKey(p, null)
        : SigningKey.generate(Curve.P384);
  }

  static Path mt(String name) {
    return root().resolve("model-transparency").resolve(name);
  }

  static Path spec(String name) {
    return root().resolve("spec").resolve(name);
  }

  static Path keys(String name) {
    return mt("keys/certificate").resolve(name);
  }

  /** Copies the named regular files of a vector folder into {@code dir} (writable copies). */
  static Path copyFiles(Path from, Path dir, List<String> names) throws IOException {
    Files.createDirectories(dir);
    for (String n : names) {
      Files.copy(from.resolve(n), dir.resolve(n));
      dir.resolve(n).toFile().setWritable(true);
    }
    return dir;
  }
}
