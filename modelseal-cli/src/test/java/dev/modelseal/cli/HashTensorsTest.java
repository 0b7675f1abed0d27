package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hash --tensors} through the real readers (format detection by magic bytes). */
class HashTensorsTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void hashTensors_exampleModel_everyTensorAndTensorSets() throws Exception {
    Path model = dir.resolve("m");
    ExampleModel.write(model);
    CliRun r = CliRun.of("hash", model.toString(), "--tensors", "--json");
    assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.OK);
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.get("tensors")).hasSize(19);
    assertThat(root.get("tensor_sets").findValuesAsText("path"))
        .contains(ExampleModel.SHARD_1, ExampleModel.SHARD_2);
    assertThat(root.get("files")).hasSize(6);
  }

  @Test
  void hashTensors_oneWeightChanged_onlyThatTensorDigestChanges() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    ExampleModel.write(a);
    ExampleModel.write(b);
    ExampleModel.tamper(b);
    JsonNode ta = JSON.readTree(CliRun.of("hash", a.toString(), "--tensors", "--json").out());
    JsonNode tb = JSON.readTree(CliRun.of("hash", b.toString(), "--tensors", "--json").out());
    int changed = 0;
    for (int i = 0; i < ta.get("tensors").size(); i++) {
      JsonNode x = ta.get("tensors").get(i);
      JsonNode y = tb.get("tensors").get(i);
      assertThat(y.get("name").asText()).isEqualTo(x.get("name").asText());
      if (!x.get("digest").asText().equals(y.get("digest").asText())) {
        changed++;
        assertThat(x.get("name").asText()).isEqualTo(ExampleModel.TAMPERED_TENSOR);
      }
    }
    assertThat(changed).isEqualTo(1);
  }

  @Test
  void hashTensors_malformedWeightFile_exit1NamingRule() throws Exception {
    Files.write(dir.resolve("x.safetensors"), new byte[] {1, 2, 3});
    CliRun r = CliRun.of("hash", dir.toString(), "--tensors");
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).contains("safetensors.");
  }
}
