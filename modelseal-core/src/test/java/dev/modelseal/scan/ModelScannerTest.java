package dev.modelseal.scan;

import static dev.modelseal.scan.PickleBuilder.call;
import static dev.modelseal.scan.PickleBuilder.pickle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelScannerTest {
  @TempDir Path dir;

  Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, content);
    return p;
  }

  Path write(String name, String content) throws IOException {
    return write(name, content.getBytes(StandardCharsets.UTF_8));
  }

  static FileReport scanOne(Path p) throws IOException {
    ScanReport r = ModelScanner.create().scan(p);
    assertThat(r.files()).hasSize(1);
    return r.files().getFirst();
  }

  static List<String> rules(FileReport f) {
    return f.findings().stream().map(Finding::rule).toList();
  }

  @Test
  void scan_folder_relativePathsAndSorted() throws IOException {
    write("b/config.json", "{\"model_type\": \"llama\"}");
    write("a.pkl", call("os", "system", "id").toBytes());
    ScanReport r = ModelScanner.create().scan(dir);
    assertThat(r.files()).extracting(FileReport::path).containsExactly("a.pkl", "b/config.json");
    assertThat(r.findings()).extracting(Finding::file).containsExactly("a.pkl");
  }

  @Test
  void scan_singleFile_reportedUnderItsName() throws IOException {
    FileReport f = scanOne(write("x/model.pkl", call("os", "system", "id").toBytes()));
    assertThat(f.path()).isEqualTo("model.pkl");
    assertThat(f.findings().getFirst().file()).isEqualTo("model.pkl");
  }

  @Test
  void scan_missingPath_throws() {
    assertThatThrownBy(() -> ModelScanner.create().scan(dir.resolve("nope")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void scan_emptyFolder_nothingScanned() throws IOException {
    ScanReport r = ModelScanner.create().scan(dir);
    assertThat(r.files()).isEmpty();
    assertThat(r.verdict(Severity.HIGH)).isEqualTo(ScanReport.Verdict.NOTHING_SCANNED);
  }

  @Test
  void scan_symlink_skippedNotFollowed() throws IOException {
    Path target = write("real.pkl", call("os", "system", "id").toBytes());
    Path link = dir.resolve("link.pkl");
    try {
      Files.createSymbolicLink(link, target);
    } catch (UnsupportedOperationException | IOException e) {
      org.junit.jupiter.api.Assumptions.assumeTrue(false, "symlinks unsupported here: skipping");
    }
    ScanReport r = ModelScanner.create().scan(dir);
    FileReport f =
        r.files().stream().filter(x -> x.path().equals("link.pkl")).findFirst().orElseThrow();
    assertThat(f.status()).isEqualTo(FileStatus.SKIPPED);
    assertThat(f.reason()).contains("symbolic link");
    assertThat(rules(f)).containsExactly("file.symlink");
  }

  @Test
  void scan_gitFolder_skippedAsOneEntry() throws IOException {
    write(".git/objects/ab/cdef", new byte[] {0x78, 0x01, 0x00});
    write("config.json", "{}");
    ScanReport r = ModelScanner.create().scan(dir);
    assertThat(r.files()).extracting(FileReport::path).containsExactly(".git/", "config.json");
    assertThat(r.files().getFirst().status()).isEqualTo(FileStatus.SKIPPED);
  }

  @Test
  void scan_unknownBinary_skippedWithLowFinding() throws IOException {
    FileReport f = scanOne(write("tokenizer.model", new byte[] {0x0a, 0x05, 0x00, 0x01, 0x02}));
    assertThat(f.status()).isEqualTo(FileStatus.SKIPPED);
    assertThat(f.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("file.unknown-binary");
              assertThat(x.severity()).isEqualTo(Severity.LOW);
            });
  }

  @Test
  void scan_msgpackStartingWithPickleProtoByte_notAPickle() throws IOException {
    // flax_model.msgpack begins with a fixmap byte 0x8X: 0x80 then a protocol byte above 5.
    FileReport f =
        scanOne(write("flax_model.msgpack", new byte[] {(byte) 0x81, (byte) 0xa6, 'p', 'a'}));
    assertThat(f.status()).isEqualTo(FileStatus.SKIPPED);
    assertThat(rules(f)).containsExactly("file.unknown-binary");
  }

  @Test
  void scan_textStartingWithOpcodeCharacter_text() throws IOException {
    FileReport f = scanOne(write("LICENSE", "License: copyright (c) someone\nall rights\n"));
    assertThat(f.kind()).isEqualTo("text");
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(f.findings()).isEmpty();
  }

  @Test
  void scan_malformedPickleWithPickleName_failed() throws IOException {
    FileReport f = scanOne(write("model.pkl", pickle().proto(2).op('N').toBytes()));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("pickle.truncated");
    assertThat(ModelScanner.create().scan(dir).verdict(Severity.CRITICAL))
        .isEqualTo(ScanReport.Verdict.FINDINGS);
  }

  @Test
  void scan_pickleNameButNotAPickle_unknownBinary() throws IOException {
    FileReport f = scanOne(write("weights.bin", new byte[] {0, 1, 2, 3}));
    assertThat(f.status()).isEqualTo(FileStatus.SKIPPED);
    assertThat(rules(f)).containsExactly("file.unknown-binary");
  }

  @Test
  void scan_rawDataNamedBinStartingWithOpcodeByte_unknownBinaryNotBrokenPickle()
      throws IOException {
    // Old GGML .bin files start with "lmgg"; 'l' is the LIST opcode, and nothing ever runs.
    FileReport f = scanOne(write("ggml-model.bin", new byte[] {'l', 'm', 'g', 'g', 1, 0, 0, 0}));
    assertThat(f.status()).isEqualTo(FileStatus.SKIPPED);
    assertThat(rules(f)).containsExactly("file.unknown-binary");
  }

  @Test
  void scan_headerlessPickleWithPtNameThatImports_scanned() throws IOException {
    FileReport f =
        scanOne(write("model.pt", "cos\nsystem\n(S'id'\ntR.".getBytes(StandardCharsets.US_ASCII)));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(rules(f)).containsExactly("pickle.dangerous-import");
  }

  @Test
  void scan_brokenBinaryPickleThatCalls_failedWithFindings() throws IOException {
    byte[] b = pickle().global("os", "system").str("id").tuple1().reduce().op(0xff).toBytes();
    FileReport f = scanOne(write("blob", b));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).contains("pickle.dangerous-import");
  }

  @Test
  void scan_weightFormatsByMagic_readByTheirReaders() throws IOException {
    byte[] header = "{\"__metadata__\":{}}".getBytes(StandardCharsets.US_ASCII);
    byte[] st =
        ByteBuffer.allocate(8 + header.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(header.length)
            .put(header)
            .array();
    write("m.safetensors", st);
    write("m.npy", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    write("m.gguf", new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
    write("m.h5", new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
    ScanReport r = ModelScanner.create().scan(dir);
    Map<String, FileReport> byPath = new LinkedHashMap<>();
    r.files().forEach(f -> byPath.put(f.path(), f));
    assertThat(byPath.get("m.safetensors").status()).isEqualTo(FileStatus.SCANNED);
    assertThat(byPath.get("m.safetensors").findings()).isEmpty();
    assertThat(byPath.get("m.npy").status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(byPath.get("m.npy"))).containsExactly("npy.truncated-preamble");
    assertThat(byPath.get("m.gguf").status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(byPath.get("m.gguf"))).containsExactly("gguf.truncated");
    assertThat(byPath.get("m.h5").status()).isEqualTo(FileStatus.SKIPPED);
    assertThat(rules(byPath.get("m.h5"))).containsExactly("keras.hdf5-uninspectable");
    assertThat(r.verdict(Severity.CRITICAL)).isEqualTo(ScanReport.Verdict.FINDINGS);
  }

  @Test
  void scan_codeFiles_findings() throws IOException {
    write("run.sh", "#!/bin/sh\nid\n");
    write("lib.so", new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    write("modeling.py", "import os\n");
    ScanReport r = ModelScanner.create().scan(dir);
    assertThat(r.findings())
        .extracting(Finding::rule)
        .containsExactlyInAnyOrder("code.native-binary", "code.python-file", "code.script");
    assertThat(r.findings()).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.HIGH));
  }

  @Test
  void scan_configWithModelFile_remoteCode() throws IOException {
    FileReport f = scanOne(write("config.json", "{\"model_file\": \"model.py\"}"));
    assertThat(rules(f)).containsExactly("config.remote-code");
  }

  @Test
  void scan_chatTemplateList_eachTemplateInspected() throws IOException {
    FileReport f =
        scanOne(
            write(
                "tokenizer_config.json",
                "{\"chat_template\": [{\"name\": \"default\", \"template\": \"{{ x }}\"},"
                    + " {\"name\": \"rag\", \"template\": \"{{ x.__class__ }}\"}]}"));
    assertThat(f.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("template.ssti");
              assertThat(x.location()).startsWith("key chat_template[1].template char");
            });
  }

  @Test
  void scan_malformedJson_failed() throws IOException {
    FileReport f = scanOne(write("config.json", "{\"a\": 1,}"));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("json.malformed");
  }

  @Test
  void scan_jsonDataAfterValue_failed() throws IOException {
    assertThat(rules(scanOne(write("config.json", "{} {}")))).containsExactly("json.malformed");
  }

  @Test
  void scan_jsonTooDeep_failedWithLimit() throws IOException {
    FileReport f = scanOne(write("config.json", "[".repeat(100) + "]".repeat(100)));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("limit.json");
  }

  @Test
  void scan_jsonNaNAsPythonReadsIt_accepted() throws IOException {
    assertThat(scanOne(write("config.json", "{\"x\": NaN}")).status())
        .isEqualTo(FileStatus.SCANNED);
  }

  @Test
  void scan_nestedDuplicateKey_reportedWithPath() throws IOException {
    FileReport f = scanOne(write("config.json", "{\"a\": {\"b\": 1, \"b\": 2}}"));
    assertThat(f.findings())
        .singleElement()
        .satisfies(x -> assertThat(x.location()).isEqualTo("key a.b"));
  }

  @Test
  void scan_kerasConfigRules_eachFlagged() throws IOException {
    String config =
        "{\"module\":\"keras\",\"class_name\":\"Functional\",\"config\":{\"layers\":["
            + "{\"module\":\"keras.layers\",\"class_name\":\"TorchModuleWrapper\"},"
            + "{\"module\":\"keras.layers\",\"class_name\":\"TFSMLayer\"},"
            + "{\"module\":\"mypkg.layers\",\"class_name\":\"Custom\"},"
            + "{\"module\":\"keras.utils\",\"class_name\":\"x\",\"config\":{\"fn\":\"get_file\"}},"
            + "{\"enable_unsafe_deserialization\":true}]}}";
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("config.json", config.getBytes(StandardCharsets.UTF_8));
    m.put("metadata.json", "{}".getBytes(StandardCharsets.UTF_8));
    FileReport f = scanOne(write("m.keras", ZipArchiveTest.zip(m, true)));
    assertThat(f.kind()).isEqualTo("keras");
    assertThat(rules(f))
        .containsExactlyInAnyOrder(
            "keras.torch-module-wrapper",
            "keras.tfsm-layer",
            "keras.non-keras-module",
            "keras.get-file",
            "keras.unsafe-deserialization");
  }

  @Test
  void scan_zipMemberUnreadable_fileFailed() throws IOException {
    byte[] z = ZipArchiveTest.zip("archive/data.pkl", call("os", "system", "id").toBytes());
    ZipArchiveTest.le(z).putShort(ZipArchiveTest.cen(z, "archive/data.pkl") + 10, (short) 99);
    FileReport f = scanOne(write("model.pt", z));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).contains("zip.unsupported-method");
  }

  @Test
  void scan_torchStoragesNotRead_evenIfTheyLookLikePickles() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("archive/data.pkl", pickle().proto(2).op('}').stop().toBytes());
    m.put("archive/data/0", call("os", "system", "id").toBytes());
    FileReport f = scanOne(write("model.pt", ZipArchiveTest.zip(m, false)));
    assertThat(f.kind()).isEqualTo("pytorch-zip");
    assertThat(f.findings()).isEmpty();
  }

  @Test
  void scan_pickleInOtherZipMember_foundByContent() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("weights/extra", call("os", "system", "id").toBytes());
    FileReport f = scanOne(write("bundle.zip", ZipArchiveTest.zip(m, true)));
    assertThat(rules(f)).contains("pickle.dangerous-import");
    assertThat(f.findings().getFirst().location()).startsWith("weights/extra");
  }

  @Test
  void scan_pickleWithZipAppended_bothInterpretationsScanned() throws IOException {
    // torch.load and pickle.load read the pickle in front; zip readers the archive at the end.
    byte[] front = call("os", "system", "id").toBytes();
    byte[] zip = ZipArchiveTest.zip("archive/data.pkl", pickle().proto(2).op('}').stop().toBytes());
    byte[] b = PickleEmulatorTest.concat(front, zip);
    FileReport f = scanOne(write("model.pt", b));
    assertThat(rules(f)).contains("pickle.dangerous-import", "zip.prepended-data");
    assertThat(f.kind()).isEqualTo("pickle+pytorch-zip");
  }

  @Test
  void scan_zipNestedTooDeep_lowFindingNotClean() throws IOException {
    byte[] z = ZipArchiveTest.zip("inner.pkl", call("os", "system", "id").toBytes());
    for (int i = 0; i < ScanContext.MAX_ARCHIVE_DEPTH + 1; i++) {
      z = ZipArchiveTest.zip("level" + i + ".zip", z);
    }
    FileReport f = scanOne(write("deep.zip", z));
    assertThat(rules(f)).contains("zip.nested-too-deep");
  }

  @Test
  void scan_archiveDeclaringHugeInflatedSizes_inflationBudgetFailsIt() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (String n : List.of("a.bin", "b.bin", "c.bin")) {
      m.put(n, new byte[10]);
    }
    byte[] z = ZipArchiveTest.zip(m, true);
    for (String n : List.of("a.bin", "b.bin", "c.bin")) {
      ZipArchiveTest.le(z).putInt(ZipArchiveTest.cen(z, n) + 24, 0xfffffff0);
    }
    FileReport f = scanOne(write("bomb.zip", z));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).contains("limit.zip-inflated-total");
  }

  @Test
  void scan_templateFileBeyondTextLimit_failed() throws Exception {
    Path p = write("chat_template.jinja", "{{ x }}".repeat(10));
    ScanReport r =
        ModelScanner.create(
                dev.modelseal.format.ParseLimits.builder().maxTextBytes(20).build(),
                PicklePolicy.defaults())
            .scan(p);
    assertThat(r.files().getFirst().status()).isEqualTo(FileStatus.FAILED);
    assertThat(r.findings()).extracting(Finding::rule).containsExactly("template.too-large");
  }

  @Test
  void scan_fifo_skippedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("pipe");
    boolean made;
    try {
      made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
    } catch (IOException e) {
      made = false;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(made, "mkfifo unavailable: skipping");
    ScanReport r = ModelScanner.create().scan(dir);
    assertThat(r.files())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.status()).isEqualTo(FileStatus.SKIPPED);
              assertThat(rules(f)).containsExactly("file.special");
            });
  }

  @Test
  void scan_allowlistFile_extendsPolicy() throws Exception {
    Path model = write("m.pkl", call("mypkg.layers", "Block", "x").toBytes());
    Path allow = dir.resolve("allow.txt");
    Files.writeString(allow, "# extra globals\nmypkg.layers Block\n");
    ScanReport before = ModelScanner.create().scan(model);
    ScanReport after =
        ModelScanner.create(
                dev.modelseal.format.ParseLimits.defaults(),
                PicklePolicy.defaults().withAllowlistFile(allow))
            .scan(model);
    assertThat(before.findings())
        .extracting(Finding::rule)
        .containsExactly("pickle.non-allowlisted-import");
    assertThat(after.findings()).isEmpty();
  }
}
