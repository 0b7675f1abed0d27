package dev.modelseal.scan;

import static dev.modelseal.scan.NpyScannerTest.finding;
import static dev.modelseal.scan.NpyScannerTest.rules;
import static dev.modelseal.scan.NpyScannerTest.scan;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.SafetensorsWriter;
import dev.modelseal.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsScannerTest {
  @TempDir Path dir;

  static SafetensorsWriter model() {
    return SafetensorsWriter.huggingFace()
        .metadata("format", "pt")
        .f32("w", new long[] {2, 2}, 1f, -2f, 3f, 0.5f)
        .i32("ids", new long[] {3}, 1, 2, 3);
  }

  Path write(String name, SafetensorsWriter w) throws IOException {
    return w.write(dir.resolve(name));
  }

  static Path folder(Path parent) throws IOException {
    return Files.createDirectories(parent.resolve("model"));
  }

  @Test
  void scan_plainModel_scannedWithoutFindings() throws IOException {
    FileReport f = scan(write("m.safetensors", model()));
    assertThat(f.kind()).isEqualTo("safetensors");
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(f.findings()).isEmpty();
  }

  @Test
  void scan_mlxWrittenModel_scannedWithoutFindings() throws IOException {
    SafetensorsWriter w = SafetensorsWriter.mlx().f32("b", new long[] {2}, 1f, 2f);
    FileReport f = scan(write("m.safetensors", w));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(f.findings()).isEmpty();
  }

  @Test
  void scan_codeInMetadata_lowFindingAtTheKey() throws IOException {
    SafetensorsWriter w = model().metadata("note", "__import__('os').system('id')");
    FileReport f = scan(write("m.safetensors", w));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    Finding x = finding(f, "metadata.code-like");
    assertThat(x.severity()).isEqualTo(Severity.LOW);
    assertThat(x.location()).isEqualTo("key __metadata__.note");
  }

  @Test
  void scan_urlInMetadata_infoFinding() throws IOException {
    SafetensorsWriter w = model().metadata("source", "https://example.com/payload");
    FileReport f = scan(write("m.safetensors", w));
    assertThat(f.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("metadata.url");
              assertThat(x.severity()).isEqualTo(Severity.INFO);
            });
  }

  @Test
  void scan_trailingBytes_failedWithReaderRule() throws IOException {
    byte[] b = model().toBytes();
    Path p = Files.write(dir.resolve("t.safetensors"), Arrays.copyOf(b, b.length + 5));
    FileReport f = scan(p);
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("safetensors.trailing-bytes");
    assertThat(f.findings().getFirst().severity()).isEqualTo(Severity.HIGH);
    assertThat(f.reason()).startsWith("safetensors.trailing-bytes");
  }

  @Test
  void scan_duplicateKeyInHeader_failedWithReaderRule() throws IOException {
    String header =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    Path p = Files.write(dir.resolve("d.safetensors"), SafetensorsWriter.file(header, new byte[1]));
    FileReport f = scan(p);
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("safetensors.header-duplicate-key");
  }

  @Test
  void scan_boolByteNotZeroOrOne_failedWhileStreaming() throws IOException {
    SafetensorsWriter w =
        SafetensorsWriter.huggingFace().tensor("m", DType.BOOL, new long[] {2}, new byte[] {1, 7});
    FileReport f = scan(write("b.safetensors", w));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    Finding x = finding(f, "safetensors.bool-not-0-or-1");
    assertThat(x.severity()).isEqualTo(Severity.HIGH);
    assertThat(x.location()).isEqualTo("tensor m");
  }

  @Test
  void scan_bf16AndF16Specials_infoFindings() throws IOException {
    ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    bf16.putShort((short) 0x7fc0).putShort((short) 0x3f80);
    ByteBuffer f16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    f16.putShort((short) 0xfc00).putShort((short) 0x3c00);
    SafetensorsWriter w =
        SafetensorsWriter.huggingFace()
            .tensor("a", DType.BF16, new long[] {2}, bf16.array())
            .tensor("b", DType.F16, new long[] {2}, f16.array());
    FileReport f = scan(write("s.safetensors", w));
    assertThat(finding(f, "tensor.nan").location()).isEqualTo("tensor a");
    assertThat(finding(f, "tensor.inf").location()).isEqualTo("tensor b");
  }

  @Test
  void scan_manyZeroTensors_findingsCappedWithTruncationNote() throws IOException {
    SafetensorsWriter w = SafetensorsWriter.huggingFace();
    for (int i = 0; i < TensorValueCheck.MAX_FINDINGS + 3; i++) {
      w.tensor("bias." + i, DType.F32, new long[] {1}, new byte[4]);
    }
    FileReport f = scan(write("z.safetensors", w));
    assertThat(f.findings()).hasSize(TensorValueCheck.MAX_FINDINGS + 1);
    Finding last = f.findings().getLast();
    assertThat(last.rule()).isEqualTo("tensor.findings-truncated");
    assertThat(last.subject()).isEqualTo("3 more");
  }

  @Test
  void scan_zeroSizeTensor_noValueFinding() throws IOException {
    SafetensorsWriter w = SafetensorsWriter.huggingFace().f32("e", new long[] {0});
    assertThat(scan(write("e.safetensors", w)).findings()).isEmpty();
  }

  @Test
  void scan_shardedFolderAsWritten_noShardFindings() throws IOException {
    Path model = folder(dir);
    model().f32("x", new long[] {1}, 2f).writeSharded(model, 2);
    ScanReport r = ModelScanner.create().scan(model);
    assertThat(r.files()).hasSize(3);
    assertThat(r.findings()).isEmpty();
    assertThat(r.verdict(Severity.INFO)).isEqualTo(ScanReport.Verdict.CLEAN);
  }

  @Test
  void scan_mlxShardedFolder_noShardFindings() throws IOException {
    Path model = folder(dir);
    SafetensorsWriter.mlx()
        .f32("a", new long[] {1}, 1f)
        .f32("b", new long[] {1}, 2f)
        .writeSharded(model, 2);
    assertThat(ModelScanner.create().scan(model).findings()).isEmpty();
  }

  @Test
  void scan_strayShardBesideTheIndex_unindexedFileHighOnTheIndex() throws IOException {
    Path model = folder(dir);
    model().writeSharded(model, 2);
    SafetensorsWriter.huggingFace()
        .f32("w", new long[] {1}, 9f)
        .write(model.resolve("model-extra.safetensors"));
    ScanReport r = ModelScanner.create().scan(model);
    FileReport index = ScanCorpusTest.file(r, "model.safetensors.index.json");
    Finding x = finding(index, "shards.unindexed-file");
    assertThat(x.severity()).isEqualTo(Severity.HIGH);
    assertThat(x.subject()).isEqualTo("model-extra.safetensors");
    assertThat(x.file()).isEqualTo("model.safetensors.index.json");
    assertThat(r.verdict(Severity.HIGH)).isEqualTo(ScanReport.Verdict.FINDINGS);
  }

  @Test
  void scan_indexNamingATensorItsShardLacks_mediumFinding() throws IOException {
    Path model = folder(dir);
    Path index = model().writeSharded(model, 2);
    String json = Files.readString(index).replace("\"ids\"", "\"ghost\"");
    Files.writeString(index, json);
    FileReport f =
        ScanCorpusTest.file(ModelScanner.create().scan(model), index.getFileName().toString());
    assertThat(rules(f)).contains("shards.indexed-tensor-missing", "shards.tensor-not-in-index");
    assertThat(f.findings())
        .filteredOn(x -> x.rule().startsWith("shards."))
        .allSatisfy(x -> assertThat(x.severity()).isEqualTo(Severity.MEDIUM));
    assertThat(finding(f, "shards.tensor-not-in-index").location())
        .isEqualTo("model-00002-of-00002.safetensors tensor ids");
  }

  @Test
  void scan_indexNamingAMissingShard_mediumFinding() throws IOException {
    Path model = folder(dir);
    model().writeSharded(model, 2);
    Files.delete(model.resolve("model-00002-of-00002.safetensors"));
    FileReport f =
        ScanCorpusTest.file(ModelScanner.create().scan(model), "model.safetensors.index.json");
    assertThat(finding(f, "shards.file-missing").severity()).isEqualTo(Severity.MEDIUM);
  }

  @Test
  void scan_indexWithWrongTotalSize_infoWarning() throws IOException {
    Path model = folder(dir);
    Path index = model().writeSharded(model, 2);
    Files.writeString(
        index, Files.readString(index).replaceFirst("\"total_size\": \\d+", "\"total_size\": 1"));
    FileReport f =
        ScanCorpusTest.file(ModelScanner.create().scan(model), "model.safetensors.index.json");
    assertThat(f.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("shards.total-size-mismatch");
              assertThat(x.severity()).isEqualTo(Severity.INFO);
            });
  }

  @Test
  void scan_indexThatIsNotJson_reportedOnceByTheJsonScanner() throws IOException {
    Path model = folder(dir);
    Path index = model().writeSharded(model, 2);
    Files.writeString(index, "{\"weight_map\": ");
    FileReport f =
        ScanCorpusTest.file(ModelScanner.create().scan(model), "model.safetensors.index.json");
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).noneMatch(r -> r.startsWith("shards.index"));
    assertThat(rules(f)).contains("json.malformed");
  }

  @Test
  void scan_indexedShardThatFailsItsReader_shardNotReadBesideTheShardsOwnFailure()
      throws IOException {
    Path model = folder(dir);
    model().writeSharded(model, 2);
    Path shard = model.resolve("model-00002-of-00002.safetensors");
    byte[] b = Files.readAllBytes(shard);
    Files.write(shard, Arrays.copyOf(b, b.length + 1));
    ScanReport r = ModelScanner.create().scan(model);
    assertThat(ScanCorpusTest.file(r, shard.getFileName().toString()).status())
        .isEqualTo(FileStatus.FAILED);
    FileReport index = ScanCorpusTest.file(r, "model.safetensors.index.json");
    assertThat(finding(index, "shards.shard-not-read").severity()).isEqualTo(Severity.MEDIUM);
  }

  @Test
  void scan_singleIndexFile_notCheckedWithoutItsFolder() throws IOException {
    Path model = folder(dir);
    Path index = model().writeSharded(model, 2);
    Files.delete(model.resolve("model-00002-of-00002.safetensors"));
    assertThat(scan(index).findings()).isEmpty();
  }
}
