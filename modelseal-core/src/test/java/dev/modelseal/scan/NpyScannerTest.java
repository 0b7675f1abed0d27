package dev.modelseal.scan;

import static dev.modelseal.scan.PickleBuilder.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.NpyBytes;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyScannerTest {
  @TempDir Path dir;

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(NpyScannerTest.class.getResource("/fixtures/numpy/" + name).toURI());
  }

  static FileReport scan(Path p) throws IOException {
    return scan(ModelScanner.create(), p);
  }

  static FileReport scan(ModelScanner scanner, Path p) throws IOException {
    ScanReport r = scanner.scan(p);
    assertThat(r.files()).hasSize(1);
    return r.files().getFirst();
  }

  static List<String> rules(FileReport f) {
    return f.findings().stream().map(Finding::rule).toList();
  }

  static Finding finding(FileReport f, String rule) {
    return f.findings().stream()
        .filter(x -> x.rule().equals(rule))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + rule + " in " + f.findings()));
  }

  Path write(String name, byte[] b) throws IOException {
    return Files.write(dir.resolve(name), b);
  }

  /** An object array the way numpy writes one: {@code |O} descr, then the pickle. */
  static byte[] objectArray(byte[] pickle) {
    return NpyBytes.npy("|O", false, "(1,)", pickle);
  }

  @Test
  void scan_objectArrayFixture_mediumObjectArrayFindingOnly() throws Exception {
    FileReport f = scan(fixture("object_array.npy"));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(f.kind()).isEqualTo("npy");
    assertThat(finding(f, "npy.object-array").severity()).isEqualTo(Severity.MEDIUM);
    assertThat(f.findings())
        .allSatisfy(x -> assertThat(x.severity().atLeast(Severity.HIGH)).isFalse());
  }

  @Test
  void scan_objectArrayWhosePickleImportsOsSystem_critical() throws IOException {
    FileReport f = scan(write("evil.npy", objectArray(call("os", "system", "id").toBytes())));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    Finding d = finding(f, "pickle.dangerous-import");
    assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(d.subject()).isEqualTo("os.system");
    assertThat(d.location()).startsWith("pickle@128 offset ");
    assertThat(finding(f, "npy.object-array").severity()).isEqualTo(Severity.MEDIUM);
  }

  @Test
  void scan_objectArrayWithoutByteOrder_stillAPickle() throws IOException {
    byte[] b = NpyBytes.npy("O", false, "(1,)", call("os", "system", "id").toBytes());
    FileReport f = scan(write("evil.npy", b));
    assertThat(rules(f)).contains("npy.object-array", "pickle.dangerous-import");
  }

  @Test
  void scan_objectArrayWithTruncatedPickle_failed() throws IOException {
    byte[] pickle = call("os", "system", "id").toBytes();
    byte[] cut = java.util.Arrays.copyOf(pickle, pickle.length - 3);
    FileReport f = scan(write("cut.npy", objectArray(cut)));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).contains("npy.object-array", "pickle.truncated");
  }

  @Test
  void scan_objectArrayWithNoDataAtAll_failed() throws IOException {
    FileReport f = scan(write("empty.npy", objectArray(new byte[0])));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).contains("pickle.truncated");
  }

  @Test
  void scan_stringArrayFixture_failedWithReaderRule() throws Exception {
    FileReport f = scan(fixture("unicode_U2.npy"));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(f.reason()).startsWith("npy.descr-string");
    Finding x = finding(f, "npy.descr-string");
    assertThat(x.severity()).isEqualTo(Severity.HIGH);
    assertThat(x.message()).startsWith("the npy reader rejects it: ");
  }

  @Test
  void scan_headerThatIsNoDict_failedWithReaderRule() throws IOException {
    FileReport f = scan(write("bad.npy", NpyBytes.raw("__import__('os')\n", new byte[0])));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("npy.header-syntax");
  }

  @Test
  void scan_trailingBytes_failedWithReaderRule() throws IOException {
    byte[] b = NpyBytes.npy("<f4", false, "(2,)", NpyBytes.floats(1f, 2f, 3f));
    FileReport f = scan(write("t.npy", b));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).containsExactly("npy.trailing-data");
  }

  @Test
  void scan_boolByteNotZeroOrOne_failedWhileStreaming() throws IOException {
    byte[] b = NpyBytes.npy("|b1", false, "(3,)", new byte[] {0, 1, 2});
    FileReport f = scan(write("b.npy", b));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    Finding x = finding(f, "npy.bool-not-0-or-1");
    assertThat(x.severity()).isEqualTo(Severity.HIGH);
    assertThat(x.location()).isEqualTo("tensor b");
  }

  @Test
  void scan_boolByteNotZeroOrOneWithoutTensorStats_dataNotRead() throws IOException {
    byte[] b = NpyBytes.npy("|b1", false, "(3,)", new byte[] {0, 1, 2});
    FileReport f = scan(ModelScanner.create().withTensorStats(false), write("b.npy", b));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(f.findings()).isEmpty();
  }

  @Test
  void scan_nanAndInfinity_infoFindingsWithCounts() throws IOException {
    byte[] b =
        NpyBytes.npy(
            "<f4",
            false,
            "(4,)",
            NpyBytes.floats(Float.NaN, 1f, Float.POSITIVE_INFINITY, Float.NaN));
    FileReport f = scan(write("w.npy", b));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    Finding nan = finding(f, "tensor.nan");
    assertThat(nan.severity()).isEqualTo(Severity.INFO);
    assertThat(nan.subject()).isEqualTo("2 of 4 F32 values");
    assertThat(nan.location()).isEqualTo("tensor w");
    assertThat(finding(f, "tensor.inf").subject()).isEqualTo("1 of 4 F32 values");
  }

  @Test
  void scan_bigEndianNaN_foundAfterCanonicalisation() throws IOException {
    byte[] data = {0x7f, (byte) 0xc0, 0, 0, 0x3f, (byte) 0x80, 0, 0};
    FileReport f = scan(write("be.npy", NpyBytes.npy(">f4", false, "(2,)", data)));
    assertThat(finding(f, "tensor.nan").subject()).isEqualTo("1 of 2 F32 values");
  }

  @Test
  void scan_allZeroTensor_infoFinding() throws IOException {
    FileReport f = scan(write("z.npy", NpyBytes.npy("<i8", false, "(2, 2)", new byte[32])));
    assertThat(f.findings())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.rule()).isEqualTo("tensor.all-zero");
              assertThat(x.severity()).isEqualTo(Severity.INFO);
              assertThat(x.subject()).isEqualTo("I64 [2, 2]");
            });
  }

  @Test
  void scan_keysInAnotherOrderThanNumpys_lowDifferentialWarning() throws IOException {
    String dict = "{'shape': (1,), 'fortran_order': False, 'descr': '<f4', }";
    FileReport f = scan(write("k.npy", NpyBytes.npy(dict, NpyBytes.floats(1f))));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(finding(f, "npy.header-key-order").severity()).isEqualTo(Severity.LOW);
  }

  @Test
  void scan_objectArrayInsideAnotherZip_foundAsMember() throws IOException {
    byte[] zip =
        ZipArchiveTest.zip(
            "weights/evil.npy", objectArray(call("subprocess", "run", "id").toBytes()));
    FileReport f = scan(write("bundle.zip", zip));
    Finding d = finding(f, "pickle.dangerous-import");
    assertThat(d.location()).startsWith("weights/evil.npy pickle@128");
    assertThat(rules(f)).contains("npy.object-array");
  }
}
