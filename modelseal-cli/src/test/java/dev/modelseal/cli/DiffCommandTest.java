package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.format.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffCommandTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void diff_identicalModels_exit0() throws Exception {
    ExampleModel.write(dir.resolve("a"));
    ExampleModel.write(dir.resolve("b"));
    CliRun r = CliRun.of("diff", dir.resolve("a").toString(), dir.resolve("b").toString());
    assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.OK);
    assertThat(r.out()).contains("19 tensors: 19 unchanged");
  }

  @Test
  void diff_oneValueFlipped_namesTensorAndCounts() throws Exception {
    Path a =
        SafetensorsWriter.mlx()
            .f32("w", new long[] {4}, 1f, 2f, 3f, 4f)
            .f32("u", new long[] {1}, 0f)
            .write(dir.resolve("a.safetensors"));
    Path b =
        SafetensorsWriter.mlx()
            .f32("w", new long[] {4}, 1f, 2f, Float.NaN, 4f)
            .f32("u", new long[] {1}, 0f)
            .write(dir.resolve("b.safetensors"));
    CliRun r = CliRun.of("diff", a.toString(), b.toString(), "--json");
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.get("summary").get("values_changed").asInt()).isEqualTo(1);
    JsonNode w = root.get("tensors").get(1);
    assertThat(w.get("name").asText()).isEqualTo("w");
    assertThat(w.get("change").asText()).isEqualTo("values_changed");
    assertThat(w.get("values").get("changed").asLong()).isEqualTo(1);
    assertThat(w.get("values").get("nan_introduced").asLong()).isEqualTo(1);
    assertThat(root.get("tensors").get(0).get("change").asText()).isEqualTo("unchanged");
  }

  @Test
  void diff_addedRemovedReshaped_reported() throws Exception {
    Path a =
        SafetensorsWriter.mlx()
            .f32("gone", new long[] {1}, 1f)
            .f32("s", new long[] {2}, 1f, 2f)
            .write(dir.resolve("a.safetensors"));
    Path b =
        SafetensorsWriter.mlx()
            .f32("new", new long[] {1}, 1f)
            .f32("s", new long[] {1, 2}, 1f, 2f)
            .write(dir.resolve("b.safetensors"));
    CliRun r = CliRun.of("diff", a.toString(), b.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.out())
        .contains("added     new")
        .contains("removed   gone")
        .contains("reshaped  s");
  }

  @Test
  void diff_sameTensorDifferentFormats_unchanged() throws Exception {
    Path a = CliRun.fixture("numpy/same_tensor.c_le.npy", Files.createDirectory(dir.resolve("a")));
    Path b =
        CliRun.fixture("numpy/same_tensor.fortran_be.npy", Files.createDirectory(dir.resolve("b")));
    Path bRenamed = b.resolveSibling("same_tensor.c_le.npy");
    Files.move(b, bRenamed);
    CliRun r = CliRun.of("diff", a.toString(), bRenamed.toString());
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
  }

  @Test
  void diff_noWeightFiles_exit3() throws Exception {
    Files.createDirectory(dir.resolve("a"));
    Files.createDirectory(dir.resolve("b"));
    CliRun r = CliRun.of("diff", dir.resolve("a").toString(), dir.resolve("b").toString());
    assertThat(r.status()).isEqualTo(ExitCode.NOTHING_TO_CHECK);
  }
}
