package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed fixtures are what the writer produces, and the reader accepts them. */
class SafetensorsFixturesTest {
  @TempDir Path dir;

  @Test
  void committedFixtures_regenerated_identicalBytes() throws Exception {
    SafetensorsFixtures.writeAll(dir);
    Path committed = committedDir();
    List<Path> expected = relativeFiles(dir);
    assertThat(relativeFiles(committed)).isEqualTo(expected);
    for (Path p : expected) {
      assertThat(Files.readAllBytes(committed.resolve(p)))
          .as("%s differs from the writer's output; regenerate (see SafetensorsFixtures)", p)
          .isEqualTo(Files.readAllBytes(dir.resolve(p)));
    }
  }

  @Test
  void hfFixture_read_tensorsInDtypeThenNameOrder() throws Exception {
    try (SafetensorsFile f =
        SafetensorsReader.open(
            committedDir().resolve(SafetensorsFixtures.HF_FILE), ParseLimits.defaults())) {
      assertThat(f.headerLength() % 8).isZero();
      assertThat(f.stringMetadata()).containsExactly(Map.entry("format", "pt"));
      assertThat(f.tensors())
          .extracting(TensorInfo::dtype)
          .containsExactly(
              DType.I64,
              DType.F32,
              DType.F32,
              DType.U32,
              DType.BF16,
              DType.F16,
              DType.F8_E4M3,
              DType.F4,
              DType.BOOL);
      assertThat(f.tensor("model.layers.0.mlp.experts").orElseThrow().nbytes()).isEqualTo(8);
      assertThat(f.warnings()).isEmpty();
      readAll(f);
    }
  }

  @Test
  void mlxFixture_read_sameTensorsAsHf() throws Exception {
    Path root = committedDir();
    try (SafetensorsFile mlx =
            SafetensorsReader.open(
                root.resolve(SafetensorsFixtures.MLX_FILE), ParseLimits.defaults());
        SafetensorsFile hf =
            SafetensorsReader.open(
                root.resolve(SafetensorsFixtures.HF_FILE), ParseLimits.defaults())) {
      assertThat(mlx.stringMetadata()).containsExactly(Map.entry("format", "mlx"));
      assertThat(mlx.tensors().getFirst().name()).isEqualTo("model.embed_tokens.weight");
      Map<String, byte[]> mlxData = readAll(mlx);
      Map<String, byte[]> hfData = readAll(hf);
      assertThat(mlxData.keySet()).containsExactlyInAnyOrderElementsOf(hfData.keySet());
      for (String name : hfData.keySet()) {
        assertThat(mlxData.get(name)).as(name).isEqualTo(hfData.get(name));
        Shape a = mlx.tensor(name).orElseThrow().shape();
        assertThat(a).isEqualTo(hf.tensor(name).orElseThrow().shape());
      }
    }
  }

  @Test
  void shardedFixture_check_valid() throws Exception {
    Path folder = committedDir().resolve(SafetensorsFixtures.SHARDED_DIR);
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    try {
      for (String name :
          List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
        shards.put(name, SafetensorsReader.open(folder.resolve(name), ParseLimits.defaults()));
      }
      ShardCheck c =
          ShardedSafetensors.check(
              folder,
              folder.resolve(ShardedSafetensors.INDEX_FILE_NAME),
              shards,
              ParseLimits.defaults());
      assertThat(c.errors()).isEmpty();
      assertThat(c.warnings()).isEmpty();
      assertThat(c.tensorFiles()).hasSize(9);
    } finally {
      for (SafetensorsFile f : shards.values()) {
        f.close();
      }
    }
  }

  private static Map<String, byte[]> readAll(SafetensorsFile f) throws Exception {
    Map<String, byte[]> data = new LinkedHashMap<>();
    for (TensorInfo t : f.tensors()) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      f.readCanonical(
          t,
          chunk -> {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            out.writeBytes(b);
          });
      assertThat(out.size()).isEqualTo(t.nbytes());
      data.put(t.name(), out.toByteArray());
    }
    return data;
  }

  static Path committedDir() throws URISyntaxException {
    return Path.of(
        SafetensorsFixturesTest.class
            .getClassLoader()
            .getResource(SafetensorsFixtures.RESOURCE_DIR)
            .toURI());
  }

  private static List<Path> relativeFiles(Path root) throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile).map(root::relativize).sorted().forEach(files::add);
    }
    return files;
  }
}
