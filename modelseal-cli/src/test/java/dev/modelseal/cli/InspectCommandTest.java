package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.format.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void inspect_exampleModel_listsShardsAndConsistentIndex() throws Exception {
    Path model = dir.resolve("m");
    ExampleModel.write(model);
    CliRun r = CliRun.of("inspect", model.toString(), "--json");
    assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.OK);
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.get("files")).hasSize(2);
    JsonNode first = root.get("files").get(0);
    assertThat(first.get("path").asText()).isEqualTo(ExampleModel.SHARD_1);
    assertThat(first.get("format").asText()).isEqualTo("safetensors");
    assertThat(first.get("metadata").get("format").asText()).isEqualTo("mlx");
    JsonNode t = first.get("tensors").get(0);
    assertThat(t.get("name").asText()).isEqualTo("model.embed_tokens.weight");
    assertThat(t.get("dtype").asText()).isEqualTo("F32");
    assertThat(t.get("shape").toString()).isEqualTo("[64,32]");
    assertThat(t.get("nbytes").asLong()).isEqualTo(64 * 32 * 4);
    assertThat(first.get("problems")).isEmpty();
    JsonNode set = root.get("sharded_sets").get(0);
    assertThat(set.get("index").asText()).isEqualTo("model.safetensors.index.json");
    assertThat(set.get("tensors").asInt()).isEqualTo(19);
    assertThat(set.get("problems")).isEmpty();
  }

  @Test
  void inspect_everyFormat_recognisedByMagic() throws Exception {
    CliRun.fixture("numpy/dtype_f4.npy", dir);
    CliRun.fixture("numpy/savez_compressed.npz", dir);
    CliRun.fixture("gguf/q4_0_q8_0.gguf", dir);
    SafetensorsWriter.huggingFace()
        .f32("w", new long[] {2}, 1f, 2f)
        .write(dir.resolve("no-extension-weights"));
    Files.writeString(dir.resolve("README.md"), "not a weight file");
    CliRun r = CliRun.of("inspect", dir.toString(), "--json");
    assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.OK);
    JsonNode files = JSON.readTree(r.out()).get("files");
    assertThat(files).hasSize(4);
    assertThat(files.findValuesAsText("format"))
        .containsExactlyInAnyOrder("npy", "npz", "gguf", "safetensors");
    for (JsonNode f : files) {
      assertThat(f.get("tensors")).isNotEmpty();
    }
  }

  @Test
  void inspect_quantizedGguf_reportsGgmlDtype() throws Exception {
    Path f = CliRun.fixture("gguf/q4_0_q8_0.gguf", dir);
    CliRun r = CliRun.of("inspect", f.toString(), "--json");
    assertThat(r.status()).isEqualTo(ExitCode.OK);
    assertThat(JSON.readTree(r.out()).findValuesAsText("dtype")).contains("GGML_Q4_0");
  }

  @Test
  void inspect_trailingBytes_exit1WithRuleOnStderr() throws Exception {
    Path f =
        SafetensorsWriter.mlx()
            .f32("w", new long[] {2}, 1f, 2f)
            .write(dir.resolve("a.safetensors"));
    Files.write(f, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    CliRun r = CliRun.of("inspect", f.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).contains("[safetensors.trailing-bytes]").contains("a.safetensors");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void inspect_malformedJson_problemListedInJson() throws Exception {
    Path f = dir.resolve("bad.safetensors");
    Files.write(
        f, SafetensorsWriter.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]));
    CliRun r = CliRun.of("inspect", f.toString(), "--json");
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    JsonNode p = JSON.readTree(r.out()).get("files").get(0).get("problems").get(0);
    assertThat(p.get("rule").asText()).isEqualTo("safetensors.missing-field");
    assertThat(p.get("severity").asText()).isEqualTo("error");
  }

  @Test
  void inspect_weightExtensionWithoutMagic_reportedNotSkipped() throws Exception {
    Files.write(dir.resolve("x.gguf"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    CliRun r = CliRun.of("inspect", dir.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).contains("x.gguf").contains("[gguf.");
  }

  @Test
  void inspect_strayShardNotInIndex_exit1() throws Exception {
    Path model = dir.resolve("m");
    ExampleModel.write(model);
    SafetensorsWriter.mlx()
        .f32("evil", new long[] {1}, 1f)
        .write(model.resolve("model-00003-of-00002.safetensors"));
    CliRun r = CliRun.of("inspect", model.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).contains("shards.unindexed-file");
  }

  @Test
  void inspect_folderWithoutWeights_exit3() throws Exception {
    Files.writeString(dir.resolve("config.json"), "{}");
    CliRun r = CliRun.of("inspect", dir.toString());
    assertThat(r.status()).isEqualTo(ExitCode.NOTHING_TO_CHECK);
    assertThat(r.err()).contains("no weight files");
  }

  @Test
  void inspect_missingPath_exit2() {
    CliRun r = CliRun.of("inspect", dir.resolve("nope").toString());
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("no such file");
  }

  @Test
  void inspect_noArguments_usageExit2() {
    CliRun r = CliRun.of("inspect");
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("Missing required parameter");
  }

  @Test
  void inspect_textOutput_alignedTable() throws Exception {
    Path f =
        SafetensorsWriter.mlx()
            .f32("a.long.tensor.name", new long[] {2, 2}, 1f, 2f, 3f, 4f)
            .f32("b", new long[] {1}, 5f)
            .write(dir.resolve("t.safetensors"));
    CliRun r = CliRun.of("inspect", f.toString());
    assertThat(r.status()).isEqualTo(ExitCode.OK);
    assertThat(r.out()).contains("NAME").contains("a.long.tensor.name  F32").contains("[2, 2]");
  }
}
