package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.digest.TestWeightFile;
import dev.modelseal.format.WeightFileOpener;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private record Result(int status, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  private static Result run(WeightFileOpener readers, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out), new PrintWriter(err), readers);
    return new Result(status, out.toString(), err.toString());
  }

  private static Result run(String... args) {
    return run(WeightReaders.installed(), args);
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private Path model() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("model"));
    Files.writeString(root.resolve("config.json"), "{}");
    Files.createDirectory(root.resolve("tokenizer"));
    Files.writeString(root.resolve("tokenizer/vocab.txt"), "a b c");
    Files.writeString(root.resolve("tokenizer.json"), "{\"v\":1}");
    return root;
  }

  @Test
  void hash_folderText_rootThenOneLinePerFileInByteOrder() throws Exception {
    Result r = run("hash", model().toString());
    assertThat(r.status()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.getFirst()).startsWith("root  sha256:").contains("3 files");
    assertThat(lines.subList(1, 4))
        .containsExactly(
            sha256("{}") + "  config.json",
            sha256("{\"v\":1}") + "  tokenizer.json",
            sha256("a b c") + "  tokenizer/vocab.txt");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void hash_folderJson_filesShapeAndRootOverFileDigests() throws Exception {
    Result r = run("hash", model().toString(), "--json");
    assertThat(r.status()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("method").asText()).isEqualTo("files");
    assertThat(j.get("shard_size").isNull()).isTrue();
    assertThat(j.get("root").get("algorithm").asText()).isEqualTo("sha256");
    assertThat(j.has("shards")).isFalse();
    assertThat(j.has("tensors")).isFalse();
    assertThat(j.has("tensor_sets")).isFalse();
    JsonNode files = j.get("files");
    assertThat(files).hasSize(3);
    MessageDigest root = MessageDigest.getInstance("SHA-256");
    for (JsonNode f : files) {
      assertThat(f.get("algorithm").asText()).isEqualTo("sha256");
      root.update(HexFormat.of().parseHex(f.get("digest").asText()));
    }
    assertThat(files.get(0).get("path").asText()).isEqualTo("config.json");
    assertThat(files.get(0).get("digest").asText()).isEqualTo(sha256("{}"));
    assertThat(j.get("root").get("digest").asText())
        .isEqualTo(HexFormat.of().formatHex(root.digest()));
  }

  @Test
  void hash_shardSizeJson_shardsWithStartEnd() throws Exception {
    Path f = tmp.resolve("weights.bin");
    Files.writeString(f, "0123456789abcdefghijk");
    Result r = run("hash", f.toString(), "--shard-size", "8", "--json");
    assertThat(r.status()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("method").asText()).isEqualTo("shards");
    assertThat(j.get("shard_size").asLong()).isEqualTo(8);
    assertThat(j.has("files")).isFalse();
    JsonNode shards = j.get("shards");
    assertThat(shards).hasSize(3);
    assertThat(shards.get(2).get("path").asText()).isEqualTo("weights.bin");
    assertThat(shards.get(2).get("start").asLong()).isEqualTo(16);
    assertThat(shards.get(2).get("end").asLong()).isEqualTo(21);
    assertThat(shards.get(2).get("digest").asText()).isEqualTo(sha256("ghijk"));
  }

  @Test
  void hash_pathWithColon_shardPathParsedFromTheRight() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    Files.writeString(root.resolve("a:1:2"), "xyz");
    JsonNode shard =
        run("hash", root.toString(), "--shard-size", "2", "--json").json().get("shards").get(1);
    assertThat(shard.get("path").asText()).isEqualTo("a:1:2");
    assertThat(shard.get("start").asLong()).isEqualTo(2);
    assertThat(shard.get("end").asLong()).isEqualTo(3);
  }

  @Test
  void hash_singleFile_listedUnderBasename() throws Exception {
    Path f = tmp.resolve("model.safetensors");
    Files.writeString(f, "x");
    JsonNode j = run("hash", f.toString(), "--json").json();
    assertThat(j.get("files").get(0).get("path").asText()).isEqualTo("model.safetensors");
  }

  private Path weightModel() throws Exception {
    Path root = model();
    byte[] a = new byte[24];
    a[3] = 1;
    TestWeightFile.write(
        root.resolve("model.testwf"),
        List.of(
            new TestWeightFile.Spec("layer.weight", DType.F32, Shape.of(2, 3), a, 'C'),
            new TestWeightFile.Spec("flag", DType.BOOL, Shape.scalar(), new byte[] {1}, 'S')),
        2);
    return root;
  }

  @Test
  void hash_tensorsJson_listsTensorSetsAndTensors() throws Exception {
    Result r =
        run(TestWeightFile.opener(), "hash", weightModel().toString(), "--tensors", "--json");
    assertThat(r.status()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("files")).hasSize(4);
    assertThat(j.get("tensor_sets")).hasSize(1);
    assertThat(j.get("tensor_sets").get(0).get("path").asText()).isEqualTo("model.testwf");
    assertThat(j.get("tensor_sets").get(0).get("ctm1").asText()).hasSize(64);
    JsonNode t = j.get("tensors");
    assertThat(t).hasSize(2);
    assertThat(t.get(0).get("file").asText()).isEqualTo("model.testwf");
    assertThat(t.get(0).get("name").asText()).isEqualTo("layer.weight");
    assertThat(t.get(0).get("dtype").asText()).isEqualTo("F32");
    assertThat(t.get(0).get("shape").toString()).isEqualTo("[2,3]");
    assertThat(t.get(1).get("shape").toString()).isEqualTo("[]");
    assertThat(t.get(1).get("digest").asText()).hasSize(64);
  }

  @Test
  void hash_tensorsText_listsSetsAndTensors() throws Exception {
    Result r = run(TestWeightFile.opener(), "hash", weightModel().toString(), "--tensors");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("tensor sets (CTM-1):")
        .contains("  model.testwf  layer.weight  F32 [2, 3]");
  }

  @Test
  void hash_malformedWeightFile_exit1WithRule() throws Exception {
    Path root = model();
    Files.writeString(root.resolve("bad.testwf"), "MSTESTWF\nnot|a|line\n\n");
    Result r = run(TestWeightFile.opener(), "hash", root.toString(), "--tensors");
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).contains("[testwf.bad-line]").doesNotContain("\tat ");
  }

  @Test
  void hash_emptyFolder_exit3() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("empty"));
    Files.createDirectory(root.resolve(".git"));
    Files.writeString(root.resolve(".git/HEAD"), "ref");
    Result r = run("hash", root.toString());
    assertThat(r.status()).isEqualTo(ExitCode.NOTHING_TO_CHECK);
    assertThat(r.err()).contains("no files to hash");
  }

  @Test
  void hash_missingPath_exit2() {
    Result r = run("hash", tmp.resolve("nope").toString());
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("no such file");
  }

  @Test
  void hash_nonPositiveShardSize_exit2() throws Exception {
    Result r = run("hash", model().toString(), "--shard-size", "0");
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("--shard-size");
  }

  @Test
  void hash_symlinkWithoutAllow_exit1() throws Exception {
    Path root = model();
    Files.createSymbolicLink(root.resolve("alias.json"), root.resolve("config.json"));
    Result r = run("hash", root.toString());
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).contains("[tree.symlink-not-allowed]");
    assertThat(run("hash", root.toString(), "--allow-symlinks").status()).isZero();
  }

  @Test
  void hash_ignore_leavesPathOut() throws Exception {
    JsonNode j = run("hash", model().toString(), "--ignore", "tokenizer", "--json").json();
    assertThat(j.get("files")).hasSize(2);
  }

  @Test
  void hash_nameWithNewline_escapedInText() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    Files.writeString(root.resolve("evil\nname"), "x");
    Result r = run("hash", root.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("  evil\\x0aname");
    assertThat(r.out().lines()).hasSize(2);
  }

  @Test
  void hash_pipedOutput_noProgressOnStderr() throws Exception {
    Result r = run("hash", model().toString(), "--json");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void hash_shardSizeCuttingTooManyPieces_exit2() throws Exception {
    Path f = tmp.resolve("sparse.bin");
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(20_000_000);
    }
    Result r = run("hash", f.toString(), "--shard-size", "1");
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("larger shard size");
  }
}
