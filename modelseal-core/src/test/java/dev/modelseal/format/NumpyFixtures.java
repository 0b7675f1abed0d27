package dev.modelseal.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The numpy fixtures written by src/test/fixtures/make_numpy_fixtures.py, and test plumbing. */
final class NumpyFixtures {
  private NumpyFixtures() {}

  static Path dir() {
    URL url = NumpyFixtures.class.getResource("/fixtures/numpy/expected.json");
    if (url == null) {
      throw new IllegalStateException("fixtures/numpy/expected.json is not on the test classpath");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path file(String name) {
    return dir().resolve(name);
  }

  static JsonNode expected() {
    try {
      return new ObjectMapper().readTree(file("expected.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens and reads a weight file by its format (the fixture's extension). */
  static WeightFile open(Path path, ParseLimits limits) throws IOException, FormatException {
    ModelFile file = ModelFile.open(path);
    try {
      return path.toString().endsWith(".npz")
          ? NpzReader.read(file, limits)
          : NpyReader.read(file, limits);
    } catch (FormatException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  static WeightFile open(Path path) throws IOException, FormatException {
    return open(path, ParseLimits.defaults());
  }

  /** Everything readCanonical streams for one tensor, concatenated. */
  static byte[] canonical(WeightFile file, TensorInfo tensor) throws IOException, FormatException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    file.readCanonical(
        tensor,
        chunk -> {
          ByteBuffer b = chunk.duplicate();
          byte[] copy = new byte[b.remaining()];
          b.get(copy);
          out.write(copy, 0, copy.length);
        });
    return out.toByteArray();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code bytes} to a file named {@code name} in {@code dir}. */
  static Path write(Path dir, String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }
}
