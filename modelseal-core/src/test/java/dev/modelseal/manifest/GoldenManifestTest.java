package dev.modelseal.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.digest.Digest;
import dev.modelseal.digest.HashAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference tool's goldens (sigstore/model-transparency, vendored under /work/shared/vectors):
 * its fixture models are rebuilt exactly as its {@code tests/conftest.py} makes them, hashed with
 * {@link ModelHasher}, and compared semantically with the per-item digests ({@code
 * golden-serialization}) and the in-toto statements ({@code golden-payloads}): same resource names
 * and digests, root digest recomputed in the golden's own order. The symlink fixture's target lies
 * inside the model (under an ignored folder) because we reject links leaving the root.
 */
class GoldenManifestTest {
  private static final byte[] KNOWN_MODEL_TEXT =
      "This is a simple model".getBytes(StandardCharsets.UTF_8);
  private static final long SMALL_SHARDS = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static Path vectors() {
    String shared = System.getProperty("modelseal.shared");
    Path p =
        shared == null
            ? null
            : Path.of(shared, "vectors", "oms", "model-transparency").toAbsolutePath();
    assumeTrue(
        p != null && Files.isDirectory(p),
        "shared OMS vectors (" + p + ") absent: skipping the golden comparisons");
    return p;
  }

  /** A fixture model as conftest.py builds it, with what it takes to enumerate it like OMS. */
  private record Fixture(Path path, List<String> ignorePaths) {}

  private Fixture build(String name) throws IOException {
    Path base = Files.createTempDirectory(tmp, "model");
    switch (name) {
      case "sample_model_file" -> {
        Path f = base.resolve("file");
        Files.write(f, KNOWN_MODEL_TEXT);
        return new Fixture(f, List.of());
      }
      case "empty_model_file" -> {
        Path f = base.resolve("file");
        Files.write(f, new byte[0]);
        return new Fixture(f, List.of());
      }
      case "sample_model_folder" -> {
        Path root = Files.createDirectory(base.resolve("root"));
        for (int i = 0; i < 2; i++) {
          Path d = Files.createDirectory(root.resolve("d" + i));
          for (int j = 0; j < 3; j++) {
            Files.writeString(d.resolve("f" + i + j), "This is file f" + i + j + " in d" + i + ".");
          }
        }
        for (int i = 0; i < 4; i++) {
          Files.writeString(root.resolve("f" + i), "This is file f" + i + " in root.");
        }
        return new Fixture(root, List.of());
      }
      case "empty_model_folder" -> {
        return new Fixture(Files.createDirectory(base.resolve("root")), List.of());
      }
      case "model_folder_with_empty_file" -> {
        Path root = Files.createDirectory(base.resolve("root"));
        Files.write(root.resolve("empty_file"), new byte[0]);
        return new Fixture(root, List.of());
      }
      case "deep_model_folder" -> {
        Path root = Files.createDirectory(base.resolve("root"));
        Path current = root;
        for (int i = 0; i < 5; i++) {
          current = Files.createDirectory(current.resolve("d" + i));
        }
        for (int i = 0; i < 4; i++) {
          Files.writeString(current.resolve("f" + i), "This is file f" + i + ".");
        }
        return new Fixture(root, List.of());
      }
      case "symlink_model_folder" -> {
        Path root = Files.createDirectory(base.resolve("model"));
        Path external = Files.createDirectory(root.resolve("external"));
        Path target = external.resolve("file");
        Files.write(target, KNOWN_MODEL_TEXT);
        Files.createSymbolicLink(root.resolve("symlink_file"), target.toAbsolutePath());
        return new Fixture(root, List.of("external"));
      }
      default -> throw new IllegalArgumentException("no fixture " + name);
    }
  }

  /** The fixture a golden is named after, and the method it was made with. */
  private record Golden(String fixture, SerializationMethod method, long shardSize) {
    static Golden of(String goldenName, boolean serializationShardDir) {
      if (goldenName.endsWith("_small_shards")) {
        return new Golden(
            goldenName.substring(0, goldenName.length() - "_small_shards".length()),
            SerializationMethod.SHARDS,
            SMALL_SHARDS);
      }
      if (goldenName.endsWith("_shard")) {
        return new Golden(
            goldenName.substring(0, goldenName.length() - "_shard".length()),
            SerializationMethod.SHARDS,
            ModelHasher.DEFAULT_SHARD_SIZE);
      }
      return serializationShardDir
          ? new Golden(goldenName, SerializationMethod.SHARDS, ModelHasher.DEFAULT_SHARD_SIZE)
          : new Golden(goldenName, SerializationMethod.FILES, 0);
    }
  }

  private Manifest hash(Golden g) throws Exception {
    Fixture f = build(g.fixture());
    ModelHasher.Builder b =
        ModelHasher.builder().ignorePaths(f.ignorePaths()).allowSymlinks(true).threads(2);
    if (g.method() == SerializationMethod.SHARDS) {
      b.shards(g.shardSize());
    }
    return b.build().hash(f.path());
  }

  /**
   * Our resource name in the reference tool's spelling: it names a single-file model's resource "."
   * where we (and the spec) use the basename.
   */
  private static String theirName(String ours, boolean singleFile) {
    if (!singleFile) {
      return ours;
    }
    int colon = ours.indexOf(':');
    return colon < 0 ? "." : "." + ours.substring(colon);
  }

  private static boolean singleFile(String fixture) {
    return fixture.endsWith("_model_file");
  }

  private static Map<String, String> ours(Manifest m, boolean singleFile) {
    Map<String, String> out = new LinkedHashMap<>();
    for (ResourceDigest r : m.resources()) {
      out.put(theirName(r.name(), singleFile), r.digest().hex());
    }
    return out;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> hash_serializationGoldens_sameItemsAndDigests() throws IOException {
    Path root = vectors().resolve("golden-serialization");
    List<DynamicTest> tests = new ArrayList<>();
    for (String dir : List.of("file", "file_shard")) {
      Path d = root.resolve(dir).resolve("TestSerializer");
      for (String name : names(d)) {
        Golden g = Golden.of(name, dir.equals("file_shard"));
        tests.add(
            DynamicTest.dynamicTest(
                dir + "/" + name,
                () -> {
                  Map<String, String> expected = new LinkedHashMap<>();
                  for (String line : Files.readAllLines(d.resolve(name))) {
                    if (line.isBlank()) {
                      continue;
                    }
                    int cut = line.lastIndexOf(':');
                    expected.put(line.substring(0, cut), line.substring(cut + 1));
                  }
                  Manifest m = hash(g);
                  assertThat(ours(m, singleFile(g.fixture())))
                      .containsExactlyInAnyOrderEntriesOf(expected);
                }));
      }
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> hash_payloadGoldens_sameResourcesAndRootDigest() throws IOException {
    Path d = vectors().resolve("golden-payloads").resolve("signing").resolve("TestPayload");
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : names(d)) {
      Golden g = Golden.of(name, false);
      tests.add(
          DynamicTest.dynamicTest(
              name,
              () -> {
                JsonNode statement = JSON.readTree(d.resolve(name).toFile());
                JsonNode predicate = statement.get("predicate");
                JsonNode serialization = predicate.get("serialization");
                assertThat(serialization.get("method").asText()).isEqualTo(g.method().id());
                assertThat(serialization.get("hash_type").asText()).isEqualTo("sha256");
                if (g.method() == SerializationMethod.SHARDS) {
                  // The reference tool writes the shard size as a float (8.0).
                  assertThat(serialization.get("shard_size").asDouble())
                      .isEqualTo((double) g.shardSize());
                }
                Map<String, String> expected = new LinkedHashMap<>();
                List<ResourceDigest> inTheirOrder = new ArrayList<>();
                for (JsonNode r : predicate.get("resources")) {
                  String alg = r.get("algorithm").asText();
                  assertThat(alg).isIn("sha256", "sha256-sharded-" + g.shardSize());
                  expected.put(r.get("name").asText(), r.get("digest").asText());
                  inTheirOrder.add(
                      new ResourceDigest(
                          r.get("name").asText(),
                          Digest.fromHex(HashAlgorithm.SHA256, r.get("digest").asText())));
                }
                String subjectDigest =
                    statement.get("subject").get(0).get("digest").get("sha256").asText();
                // The golden is self-consistent under OMS's root-digest rule...
                assertThat(Manifest.rootDigestOf(inTheirOrder).hex()).isEqualTo(subjectDigest);
                // ...and we produce the same resources and the same root.
                Manifest m = hash(g);
                assertThat(ours(m, singleFile(g.fixture())))
                    .containsExactlyInAnyOrderEntriesOf(expected);
                assertThat(m.rootDigest().hex()).isEqualTo(subjectDigest);
              }));
    }
    assertThat(tests).hasSize(21);
    return tests.stream();
  }
}
