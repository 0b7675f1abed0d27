package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardedSafetensorsTest {
  private static final String SHARD1 = "model-00001-of-00002.safetensors";
  private static final String SHARD2 = "model-00002-of-00002.safetensors";

  @TempDir Path dir;
  private final List<SafetensorsFile> opened = new ArrayList<>();

  @AfterEach
  void closeShards() throws IOException {
    for (SafetensorsFile f : opened) {
      f.close();
    }
  }

  // ---------------------------------------------------------------------------- valid sets

  @Test
  void check_mlxLmFolder_validWithTensorFiles() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings()).isEmpty();
    assertThat(c.valid()).isTrue();
    c.requireValid();
    assertThat(c.shardFiles()).containsExactlyInAnyOrder(SHARD1, SHARD2);
    assertThat(c.tensorFiles())
        .containsExactly(
            Map.entry("lm_head.weight", SHARD2),
            Map.entry("model.embed.weight", SHARD1),
            Map.entry("model.layers.0.mask", SHARD2),
            Map.entry("model.norm.weight", SHARD1));
  }

  @Test
  void check_huggingFaceFolder_valid() throws Exception {
    Path index = fourTensors(SafetensorsWriter.huggingFace()).writeSharded(dir, 2);
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void check_singleFileWithIndex_valid() throws Exception {
    // mlx-lm writes an index even for one file; it names model-00001-of-00001 here.
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 1);
    assertThat(check(index).errors()).isEmpty();
  }

  @Test
  void check_otherSafetensorsBesideTheSet_ignored() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    SafetensorsWriter.mlx().f32("x", new long[] {1}, 1f).write(dir.resolve("adapters.safetensors"));
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
  }

  @Test
  void isIndexFileName_names_onlyIndexSuffix() {
    assertThat(ShardedSafetensors.isIndexFileName("model.safetensors.index.json")).isTrue();
    assertThat(ShardedSafetensors.isIndexFileName("diffusion_pytorch_model.safetensors.index.json"))
        .isTrue();
    assertThat(ShardedSafetensors.isIndexFileName(".safetensors.index.json")).isFalse();
    assertThat(ShardedSafetensors.isIndexFileName("model.safetensors")).isFalse();
  }

  // ---------------------------------------------------------------------------- file names

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../model-00001-of-00002.safetensors",
        "sub/model-00001-of-00002.safetensors",
        "/etc/passwd",
        "sub\\\\model.safetensors",
        "C:model.safetensors",
        "..",
        ".",
        "",
        "model.safetensors.",
        "model.safetensors ",
        "a\\u0000b",
      })
  void check_indexNamesNonPlainFile_fileNameNotPlain(String name) throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    rewriteIndex(index, SHARD1, name);
    ShardCheck c = check(index);
    assertThat(rules(c)).contains("shards.file-name-not-plain");
  }

  @Test
  void check_indexNamesAbsentFile_fileMissing() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.delete(dir.resolve(SHARD2));
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.file-missing");
    assertThat(c.errors().getFirst().file()).contains(dir.resolve(SHARD2));
  }

  @Test
  void check_indexNamesFileThatIsNotAValidShard_shardNotRead() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.write(dir.resolve(SHARD2), new byte[] {1, 2, 3});
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.shard-not-read");
  }

  @Test
  void check_indexNamesSymlink_shardNotRead() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Path real = Files.move(dir.resolve(SHARD2), dir.resolve("elsewhere.bin"));
    Files.createSymbolicLink(dir.resolve(SHARD2), real);
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.shard-not-read");
    assertThat(c.errors().getFirst().getMessage()).contains("symbolic link");
  }

  // ---------------------------------------------------------------------------- tensors

  @Test
  void check_shardTensorAbsentFromIndex_tensorNotInIndex() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    rewriteIndex(index, "\"lm_head.weight\": \"" + SHARD2 + "\",", "");
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.tensor-not-in-index");
    assertThat(c.errors().getFirst().location()).contains("lm_head.weight");
  }

  @Test
  void check_indexPlacesTensorInOtherShard_tensorWrongFileAndIndexedTensorMissing()
      throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    rewriteIndex(
        index, "\"lm_head.weight\": \"" + SHARD2 + "\"", "\"lm_head.weight\": \"" + SHARD1 + "\"");
    ShardCheck c = check(index);
    assertThat(rules(c))
        .containsExactlyInAnyOrder("shards.tensor-wrong-file", "shards.indexed-tensor-missing");
  }

  @Test
  void check_indexedTensorNotInItsShard_indexedTensorMissing() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    rewriteIndex(
        index,
        "\"lm_head.weight\"",
        "\"ghost.weight\": \"" + SHARD1 + "\",\n        \"lm_head.weight\"");
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.indexed-tensor-missing");
    assertThat(c.errors().getFirst().location()).contains("ghost.weight");
  }

  @Test
  void check_tensorStoredInTwoShards_tensorInTwoShards() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    // Rewrite shard 2 with an extra copy of a shard-1 tensor.
    SafetensorsWriter.mlx()
        .f32("lm_head.weight", new long[] {2}, 5f, 6f)
        .bool("model.layers.0.mask", new long[] {2}, true, false)
        .f32("model.norm.weight", new long[] {1}, 9f)
        .write(dir.resolve(SHARD2));
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.tensor-in-two-shards");
    assertThat(c.errors().getFirst().file()).contains(dir.resolve(SHARD2));
  }

  // ---------------------------------------------------------------------------- stray files

  @ParameterizedTest
  @ValueSource(
      strings = {"model.safetensors", "model-extra.safetensors", "Model-00003.SafeTensors"})
  void check_unindexedModelGlobFile_unindexedFile(String name) throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    SafetensorsWriter.mlx().f32("lm_head.bias", new long[] {1}, 1f).write(dir.resolve(name));
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.unindexed-file");
    assertThat(c.errors().getFirst().file()).contains(dir.resolve(name));
  }

  @Test
  void check_unindexedModelGlobSymlink_unindexedFile() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.createSymbolicLink(dir.resolve("model-x.safetensors"), dir.resolve(SHARD1));
    assertThat(rules(check(index))).containsExactly("shards.unindexed-file");
  }

  @Test
  void check_directoryMatchingGlob_ignored() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.createDirectory(dir.resolve("model.old.safetensors"));
    assertThat(check(index).errors()).isEmpty();
  }

  // ---------------------------------------------------------------------------- total_size

  @Test
  void check_noTotalSize_warningOnly() throws Exception {
    Path index = fourTensors(SafetensorsWriter.huggingFace()).writeSharded(dir, 2);
    Files.writeString(index, indexJson(null, weightMapOf(index)));
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings()).extracting(Problem::rule).containsExactly("shards.total-size-missing");
  }

  @Test
  void check_noMetadataAtAll_warningOnly() throws Exception {
    Path index = fourTensors(SafetensorsWriter.huggingFace()).writeSharded(dir, 2);
    String weightMap = weightMapOf(index);
    Files.writeString(index, "{\"weight_map\":" + weightMap + "}");
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings()).extracting(Problem::rule).containsExactly("shards.total-size-missing");
  }

  @Test
  void check_wrongTotalSize_warningOnly() throws Exception {
    Path index = fourTensors(SafetensorsWriter.huggingFace()).writeSharded(dir, 2);
    Files.writeString(index, indexJson("{\"total_size\": 999}", weightMapOf(index)));
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings())
        .extracting(Problem::rule)
        .containsExactly("shards.total-size-mismatch");
    assertThat(c.warnings().getFirst().message()).contains("999").contains("30");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"30\"", "30.0", "-30", "null", "99999999999999999999"})
  void check_totalSizeNotAnInteger_warningOnly(String value) throws Exception {
    Path index = fourTensors(SafetensorsWriter.huggingFace()).writeSharded(dir, 2);
    Files.writeString(index, indexJson("{\"total_size\": " + value + "}", weightMapOf(index)));
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings()).extracting(Problem::rule).containsExactly("shards.total-size-invalid");
  }

  @Test
  void check_metadataNotAnObject_warningOnly() throws Exception {
    Path index = fourTensors(SafetensorsWriter.huggingFace()).writeSharded(dir, 2);
    Files.writeString(index, indexJson("[]", weightMapOf(index)));
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings())
        .extracting(Problem::rule)
        .containsExactly("shards.index-metadata-not-object");
  }

  @Test
  void check_unknownTopLevelKey_warningOnly() throws Exception {
    Path index = fourTensors(SafetensorsWriter.huggingFace()).writeSharded(dir, 2);
    rewriteIndex(index, "\"weight_map\"", "\"extra\": 1,\n  \"weight_map\"");
    ShardCheck c = check(index);
    assertThat(c.errors()).isEmpty();
    assertThat(c.warnings()).extracting(Problem::rule).containsExactly("shards.index-unknown-key");
  }

  // ---------------------------------------------------------------------------- index shape

  @Test
  void check_indexNotJson_indexNotJson() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.writeString(index, "{\"weight_map\": {");
    ShardCheck c = check(index);
    assertThat(rules(c)).containsExactly("shards.index-not-json");
    assertThat(c.tensorFiles()).isEmpty();
  }

  @Test
  void check_duplicateTensorInWeightMap_indexDuplicateKey() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    rewriteIndex(
        index,
        "\"lm_head.weight\"",
        "\"lm_head.weight\": \"" + SHARD1 + "\",\n        \"lm_head.weight\"");
    assertThat(rules(check(index))).containsExactly("shards.index-duplicate-key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"x\"", "null"})
  void check_indexNotAnObject_indexNotObject(String json) throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.writeString(index, json);
    assertThat(rules(check(index))).containsExactly("shards.index-not-object");
  }

  @Test
  void check_noWeightMap_weightMapMissing() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.writeString(index, "{\"metadata\": {\"total_size\": 30}}");
    assertThat(rules(check(index))).containsExactly("shards.weight-map-missing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "{\"a\": 1}", "{\"a\": [\"x\"]}", "{\"a\": null}"})
  void check_weightMapNotStringToString_weightMapNotStringMap(String map) throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    Files.writeString(index, "{\"weight_map\": " + map + "}");
    assertThat(rules(check(index))).contains("shards.weight-map-not-string-map");
  }

  @Test
  void check_indexLargerThanLimit_limitMaxJsonFileBytes() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    ParseLimits limits = ParseLimits.builder().maxJsonFileBytes(10).build();
    ShardCheck c = ShardedSafetensors.check(dir, index, openShards(), limits);
    assertThat(rules(c)).containsExactly("limit.max-json-file-bytes");
  }

  @Test
  void check_indexMissing_ioException() {
    assertThatThrownBy(
            () ->
                ShardedSafetensors.check(
                    dir, dir.resolve("nope.json"), Map.of(), ParseLimits.defaults()))
        .isInstanceOf(IOException.class);
  }

  // ---------------------------------------------------------------------------- all at once

  @Test
  void check_manyProblems_reportsEveryOne() throws Exception {
    Path index = fourTensors(SafetensorsWriter.mlx()).writeSharded(dir, 2);
    rewriteIndex(index, "\"lm_head.weight\": \"" + SHARD2 + "\",", "\"x\": \"../y\",");
    SafetensorsWriter.mlx()
        .f32("evil", new long[] {1}, 1f)
        .write(dir.resolve("model-evil.safetensors"));
    ShardCheck c = check(index);
    assertThat(rules(c))
        .containsExactlyInAnyOrder(
            "shards.file-name-not-plain", "shards.tensor-not-in-index", "shards.unindexed-file");
    assertThatThrownBy(c::requireValid).isSameAs(c.errors().getFirst());
  }

  // ---------------------------------------------------------------------------- helpers

  /** 30 tensor bytes in four tensors; two shards split them 2 + 2. */
  private static SafetensorsWriter fourTensors(SafetensorsWriter w) {
    return w.f32("model.embed.weight", new long[] {2, 2}, 1f, 2f, 3f, 4f)
        .f32("model.norm.weight", new long[] {1}, 9f)
        .f32("lm_head.weight", new long[] {2}, 5f, 6f)
        .bool("model.layers.0.mask", new long[] {2}, true, false);
  }

  private ShardCheck check(Path index) throws IOException {
    return ShardedSafetensors.check(dir, index, openShards(), ParseLimits.defaults());
  }

  /** What a caller does: read every *.safetensors in the folder, keep the valid ones. */
  private Map<String, SafetensorsFile> openShards() throws IOException {
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    try (var files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!name.endsWith(".safetensors") || !Files.isRegularFile(p)) {
          continue;
        }
        try {
          SafetensorsFile f = SafetensorsReader.open(p, ParseLimits.defaults());
          opened.add(f);
          shards.put(name, f);
        } catch (FormatException e) {
          // Not a valid safetensors file: the check reports it if the index names it.
        }
      }
    }
    return shards;
  }

  private static void rewriteIndex(Path index, String from, String to) throws IOException {
    String json = Files.readString(index);
    assertThat(json).contains(from);
    Files.writeString(index, json.replace(from, to), StandardCharsets.UTF_8);
  }

  private static String weightMapOf(Path index) throws IOException {
    String json = Files.readString(index);
    return json.substring(json.indexOf('{', json.indexOf("\"weight_map\"")), json.lastIndexOf('}'));
  }

  private static String indexJson(String metadata, String weightMap) {
    return "{"
        + (metadata == null ? "" : "\"metadata\": " + metadata + ", ")
        + "\"weight_map\": "
        + weightMap
        + "}";
  }

  private static List<String> rules(ShardCheck c) {
    return c.errors().stream().map(FormatException::rule).toList();
  }
}
