package dev.modelseal.scan;

import static dev.modelseal.scan.PickleBuilder.call;
import static dev.modelseal.scan.PickleBuilder.pickle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.ParseLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras configs that name code, HDF5 files, compressed streams and tars that wrap pickles, and
 * pickles under names that say something else (issue 14; techniques from the picklescan and
 * modelscan bypass reports and the Keras CVEs 2024-3660, 2025-1550, 2025-8747, 2025-9905).
 */
class WrappedContentScanTest {
  @TempDir Path dir;

  private static final byte[] EVIL = call("os", "system", "id").toBytes();

  /** Protocol 0: no header, plain text; what a disguised pickle looks like. */
  private static final byte[] EVIL_P0 =
      "cos\nsystem\n(S'id'\ntR.".getBytes(StandardCharsets.ISO_8859_1);

  Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, content);
    return p;
  }

  static FileReport scanOne(Path p) throws IOException {
    return ModelScannerTest.scanOne(p);
  }

  static List<String> rules(FileReport f) {
    return ModelScannerTest.rules(f);
  }

  static boolean clean(Path p) throws IOException {
    return ModelScanner.create().scan(p).verdict(Severity.HIGH) == ScanReport.Verdict.CLEAN;
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      bo.writeBytes(p);
    }
    return bo.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] kerasZip(String config, boolean metadata) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("config.json", utf8(config));
    if (metadata) {
      m.put("metadata.json", utf8("{\"keras_version\":\"3.5.0\"}"));
    }
    return ZipArchiveTest.zip(m, true);
  }

  private static String model(String layer) {
    return "{\"module\":\"keras\",\"class_name\":\"Sequential\",\"config\":{\"layers\":["
        + layer
        + "]}}";
  }

  // ---- Keras ----

  @Test
  void scan_lambdaUnderQualifiedClassName_critical() throws IOException {
    String c = model("{\"module\":\"keras.layers\",\"class_name\":\"keras.layers.Lambda\"}");
    assertThat(rules(scanOne(write("m.keras", kerasZip(c, true))))).contains("keras.lambda-layer");
  }

  @Test
  void scan_lambdaUnderRegisteredName_critical() throws IOException {
    String c =
        model(
            "{\"module\":\"keras.layers\",\"class_name\":\"Renamed\","
                + "\"registered_name\":\"keras.layers>Lambda\"}");
    assertThat(rules(scanOne(write("m.keras", kerasZip(c, true))))).contains("keras.lambda-layer");
  }

  @Test
  void scan_functionActivationFromBuiltins_critical() throws IOException {
    String c =
        model(
            "{\"module\":\"keras.layers\",\"class_name\":\"Dense\",\"config\":{\"activation\":"
                + "{\"module\":\"builtins\",\"class_name\":\"function\",\"config\":\"exec\","
                + "\"registered_name\":\"function\"}}}");
    FileReport f = scanOne(write("m.keras", kerasZip(c, true)));
    assertThat(f.findings())
        .anySatisfy(
            x -> {
              assertThat(x.rule()).isEqualTo("keras.non-keras-module");
              assertThat(x.severity()).isEqualTo(Severity.CRITICAL);
            });
  }

  @Test
  void scan_serialisedLambdaInitializer_critical() throws IOException {
    String c =
        model(
            "{\"module\":\"keras.layers\",\"class_name\":\"Dense\",\"config\":"
                + "{\"kernel_initializer\":{\"class_name\":\"__lambda__\","
                + "\"config\":{\"code\":\"4wEAAAAAAAAA\",\"defaults\":null,\"closure\":null}}}}");
    assertThat(rules(scanOne(write("m.keras", kerasZip(c, true))))).contains("keras.lambda-layer");
  }

  @Test
  void scan_customObjectWithPackagePrefix_high() throws IOException {
    String c =
        model(
            "{\"module\":null,\"class_name\":\"MyLayer\",\"registered_name\":\"evilpkg>MyLayer\"}");
    assertThat(rules(scanOne(write("m.keras", kerasZip(c, true))))).contains("keras.custom-object");
  }

  @Test
  void scan_vocabularyFromFile_high() throws IOException {
    String c =
        model(
            "{\"module\":\"keras.layers\",\"class_name\":\"StringLookup\","
                + "\"config\":{\"vocabulary\":\"/etc/passwd\"}}");
    assertThat(rules(scanOne(write("m.keras", kerasZip(c, true))))).contains("keras.external-file");
  }

  @Test
  void scan_kerasZipWithoutMetadata_configRulesStillApply() throws IOException {
    String c = model("{\"module\":\"keras.layers\",\"class_name\":\"Lambda\"}");
    // Keras' load_model reads config.json from any zip: no metadata.json, no weights needed.
    Path p = write("model.bin", kerasZip(c, false));
    assertThat(rules(scanOne(p))).contains("keras.lambda-layer");
    assertThat(clean(p)).isFalse();
  }

  @Test
  void scan_unzippedKerasFolder_configRulesApply() throws IOException {
    write(
        "saved/config.json",
        utf8(model("{\"module\":\"keras.layers\",\"class_name\":\"Lambda\"}")));
    write("saved/metadata.json", utf8("{\"keras_version\":\"3.5.0\"}"));
    ScanReport r = ModelScanner.create().scan(dir.resolve("saved"));
    assertThat(r.findings()).extracting(Finding::rule).contains("keras.lambda-layer");
  }

  @Test
  void scan_huggingFaceConfig_noKerasFindings() throws IOException {
    Path p =
        write(
            "config.json",
            utf8(
                "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                    + "\"hidden_act\":\"silu\",\"module\":\"x\"}"));
    assertThat(scanOne(p).findings()).isEmpty();
  }

  // ---- HDF5 ----

  private static byte[] hdf5At(int offset, byte[] front) {
    byte[] b = new byte[offset + 64];
    System.arraycopy(front, 0, b, 0, Math.min(front.length, offset == 0 ? 0 : offset));
    byte[] sig = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    System.arraycopy(sig, 0, b, offset, sig.length);
    return b;
  }

  @Test
  void scan_legacyKerasH5_highUninspectable() throws IOException {
    Path p = write("model.h5", hdf5At(0, new byte[0]));
    FileReport f = scanOne(p);
    assertThat(rules(f)).containsExactly("keras.hdf5-uninspectable");
    assertThat(f.findings().getFirst().severity()).isEqualTo(Severity.HIGH);
    assertThat(clean(p)).isFalse();
  }

  @Test
  void scan_hdf5AfterUserBlockUnderAnyName_highAndUserBlockScanned() throws IOException {
    byte[] b = hdf5At(1024, EVIL);
    Path p = write("weights.txt", b);
    assertThat(rules(scanOne(p))).contains("keras.hdf5-uninspectable", "pickle.dangerous-import");
  }

  // ---- compressed streams ----

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
      g.write(b);
    }
    return bo.toByteArray();
  }

  private static byte[] zlib(byte[] b) {
    Deflater d = new Deflater();
    d.setInput(b);
    d.finish();
    byte[] out = new byte[b.length + 64];
    int n = d.deflate(out);
    d.end();
    return java.util.Arrays.copyOf(out, n);
  }

  @Test
  void scan_gzippedPickle_emulated() throws IOException {
    FileReport f = scanOne(write("model.pkl.gz", gzip(EVIL)));
    assertThat(rules(f)).contains("pickle.dangerous-import");
    assertThat(f.kind()).startsWith("gzip+");
  }

  @Test
  void scan_secondGzipMember_emulated() throws IOException {
    byte[] benign = pickle().proto(2).op('}').stop().toBytes();
    byte[] b = cat(gzip(benign), gzip(EVIL));
    assertThat(rules(scanOne(write("data.joblib", b)))).contains("pickle.dangerous-import");
  }

  @Test
  void scan_zlibJoblib_emulated() throws IOException {
    assertThat(rules(scanOne(write("model.joblib", zlib(EVIL)))))
        .contains("pickle.dangerous-import");
  }

  @Test
  void scan_zlibWithSmallWindowStartingWithOpcodeByte_emulated() throws IOException {
    // CINFO 6 gives a first byte of 'h' (BINGET): still zlib, not a broken pickle.
    byte[] z = zlib(EVIL);
    z[0] = 0x68;
    z[1] = (byte) (31 - ((0x68 << 8) % 31));
    assertThat((0x68 << 8 | (z[1] & 0xff)) % 31).isZero();
    assertThat(rules(scanOne(write("model.joblib", z)))).contains("pickle.dangerous-import");
  }

  @Test
  void scan_truncatedGzip_prefixScannedAndFailed() throws IOException {
    byte[] g = gzip(EVIL);
    byte[] cut = java.util.Arrays.copyOf(g, g.length - 8);
    FileReport f = scanOne(write("model.pkl.gz", cut));
    assertThat(rules(f)).contains("compressed.truncated");
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
  }

  @Test
  void scan_gzipBomb_refusedAtTheCap() throws IOException {
    byte[] g = gzip(new byte[1 << 20]);
    Path p = write("bomb.gz", g);
    ScanReport r =
        ModelScanner.create(
                ParseLimits.builder().maxDecompressedBytes(100_000).build(),
                PicklePolicy.defaults())
            .scan(p);
    FileReport f = r.files().getFirst();
    assertThat(rules(f)).contains("limit.max-decompressed-bytes");
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
  }

  @Test
  void scan_bzip2XzLzma_highUninspectable() throws IOException {
    HexFormat h = HexFormat.of();
    String[] streams = {
      "425a6839314159265359451fecea00000ad3c05010000110400e228c2042002000222680f51a7a9e90a1a69800"
          + "776c2822402b9e2a44329f8bb9229c2848228ff67500",
      "fd377a585a000004e6d6b4460200210116000000742fe5a301000d8002636f73",
      "5d00008000ffffffffffffffff0040008803bc30bd34de2f5e26d069f4472c163ffff69a0000"
    };
    for (String s : streams) {
      Path p = write("model.joblib", h.parseHex(s));
      assertThat(rules(scanOne(p))).containsExactly("compressed.uninspectable");
      assertThat(clean(p)).isFalse();
    }
  }

  // ---- legacy PyTorch tar ----

  /** A ustar member as Python's tarfile writes it. */
  static byte[] tarMember(String name, byte[] data) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, h, 0, n.length);
    put(h, 100, String.format("%07o", 0644));
    put(h, 108, String.format("%07o", 0));
    put(h, 116, String.format("%07o", 0));
    put(h, 124, String.format("%011o", data.length));
    put(h, 136, String.format("%011o", 0));
    h[156] = '0';
    put(h, 257, "ustar");
    h[263] = '0';
    h[264] = '0';
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    int padded = (data.length + 511) / 512 * 512;
    byte[] out = new byte[512 + padded];
    System.arraycopy(h, 0, out, 0, 512);
    System.arraycopy(data, 0, out, 512, data.length);
    return out;
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }

  @Test
  void scan_legacyTorchTarPickleMember_emulated() throws IOException {
    byte[] benign = pickle().proto(2).op('}').stop().toBytes();
    byte[] tar =
        cat(
            tarMember("sys_info", benign),
            tarMember("pickle", EVIL),
            tarMember("storages", benign),
            new byte[1024]);
    FileReport f = scanOne(write("old.pt", tar));
    assertThat(f.kind()).isEqualTo("pytorch-legacy-tar");
    assertThat(rules(f)).contains("pickle.dangerous-import");
    assertThat(f.findings().stream().filter(x -> x.rule().equals("pickle.dangerous-import")))
        .allSatisfy(x -> assertThat(x.location()).startsWith("pickle"));
  }

  @Test
  void scan_pickleInStoragesMember_emulated() throws IOException {
    byte[] benign = pickle().proto(2).op('}').stop().toBytes();
    byte[] tar = cat(tarMember("pickle", benign), tarMember("storages", EVIL), new byte[1024]);
    assertThat(rules(scanOne(write("old.pt", tar)))).contains("pickle.dangerous-import");
  }

  @Test
  void scan_tarMemberPastEnd_failed() throws IOException {
    byte[] m = tarMember("pickle", EVIL);
    byte[] cut = java.util.Arrays.copyOf(m, 512 + 4);
    FileReport f = scanOne(write("old.tar", cut));
    assertThat(rules(f)).contains("tar.member-out-of-bounds");
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
  }

  // ---- content wins over the name ----

  @Test
  void scan_pickleUnderTextNames_scannedAsPickle() throws IOException {
    for (String name :
        List.of(
            "chat_template.jinja", "tokenizer.json", "README.md", "notes.txt", "a.safetensors")) {
      for (byte[] payload : List.of(EVIL, EVIL_P0)) {
        Path p = write(name, payload);
        FileReport f = scanOne(p);
        assertThat(rules(f)).as(name).contains("pickle.dangerous-import");
        assertThat(clean(p)).as(name).isFalse();
      }
    }
  }
}
