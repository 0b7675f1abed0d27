package dev.modelseal.scan;

import static dev.modelseal.scan.NpyScannerTest.finding;
import static dev.modelseal.scan.NpyScannerTest.fixture;
import static dev.modelseal.scan.NpyScannerTest.objectArray;
import static dev.modelseal.scan.NpyScannerTest.rules;
import static dev.modelseal.scan.NpyScannerTest.scan;
import static dev.modelseal.scan.PickleBuilder.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.NpyBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzScannerTest {
  @TempDir Path dir;

  static final byte[] FLOATS = NpyBytes.npy("<f4", false, "(2,)", NpyBytes.floats(1f, 2f));

  Path write(String name, byte[] b) throws IOException {
    return Files.write(dir.resolve(name), b);
  }

  static byte[] npz(Map<String, byte[]> members) throws IOException {
    return ZipArchiveTest.zip(members, false);
  }

  static Map<String, byte[]> members(Object... nameThenContent) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenContent.length; i += 2) {
      m.put((String) nameThenContent[i], (byte[]) nameThenContent[i + 1]);
    }
    return m;
  }

  static long count(FileReport f, String rule) {
    return f.findings().stream().filter(x -> x.rule().equals(rule)).count();
  }

  @Test
  void scan_savezFixture_scannedCleanByTheStrictReader() throws Exception {
    FileReport f = scan(fixture("savez.npz"));
    assertThat(f.kind()).isEqualTo("npz");
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(f.findings())
        .allSatisfy(x -> assertThat(x.severity().atLeast(Severity.MEDIUM)).isFalse());
  }

  @Test
  void scan_objectMemberFixture_objectArrayMediumAndScanned() throws Exception {
    FileReport f = scan(fixture("savez_object_member.npz"));
    assertThat(f.kind()).isEqualTo("npz");
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(finding(f, "npy.object-array").severity()).isEqualTo(Severity.MEDIUM);
    // The strict reader's npy.descr-object is the same problem: not reported twice.
    assertThat(rules(f)).doesNotContain("npy.descr-object");
    assertThat(f.findings())
        .allSatisfy(x -> assertThat(x.severity().atLeast(Severity.HIGH)).isFalse());
  }

  @Test
  void scan_objectMemberWhosePickleImportsOsSystem_critical() throws IOException {
    byte[] zip =
        npz(
            members(
                "w.npy", FLOATS, "meta.npy", objectArray(call("os", "system", "id").toBytes())));
    FileReport f = scan(write("evil.npz", zip));
    Finding d = finding(f, "pickle.dangerous-import");
    assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(d.location()).startsWith("meta.npy pickle@");
    assertThat(finding(f, "npy.object-array").location()).isEqualTo("meta.npy");
  }

  @Test
  void scan_memberWithoutNpyMagic_memberNotNpyAndScannedByContent() throws IOException {
    byte[] zip = npz(members("w.npy", FLOATS, "extra", call("os", "system", "id").toBytes()));
    FileReport f = scan(write("x.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(finding(f, "npz.member-not-npy").severity()).isEqualTo(Severity.HIGH);
    assertThat(finding(f, "npz.member-not-npy").location()).isEqualTo("extra");
    assertThat(count(f, "npz.member-not-npy")).isEqualTo(1);
    assertThat(finding(f, "pickle.dangerous-import").severity()).isEqualTo(Severity.CRITICAL);
  }

  @Test
  void scan_twoMembersGivingOneKey_duplicateKeyReportedOnce() throws IOException {
    byte[] zip = npz(members("a.npy", FLOATS, "a", FLOATS));
    FileReport f = scan(write("k.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(count(f, "npz.duplicate-key")).isEqualTo(1);
    assertThat(finding(f, "npz.duplicate-key").severity()).isEqualTo(Severity.HIGH);
  }

  @Test
  void scan_duplicateKeyAfterAnObjectMember_stillFound() throws IOException {
    byte[] object = objectArray(PickleBuilder.pickle().proto(2).binint1(1).stop().toBytes());
    byte[] zip = npz(members("o.npy", object, "b.npy", FLOATS, "b", FLOATS));
    FileReport f = scan(write("k.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(rules(f)).contains("npy.object-array", "npz.duplicate-key");
  }

  @Test
  void scan_nameTheStrictReaderRefuses_differentialFindingAndFailed() throws IOException {
    byte[] zip = npz(members("w.npy", FLOATS, "../up.npy", FLOATS));
    FileReport f = scan(write("d.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    Finding x = finding(f, "zip.name-dot-segment");
    assertThat(x.severity()).isEqualTo(Severity.HIGH);
    assertThat(x.message()).contains("parser differential");
  }

  @Test
  void scan_localNameMismatch_reportedOnceNotByBothReaders() throws IOException {
    byte[] zip = npz(members("w.npy", FLOATS, "v.npy", FLOATS));
    int local = ZipArchiveTest.loc(zip, "v.npy");
    zip[local + 30] = 'x'; // the local header now names x.npy
    FileReport f = scan(write("n.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(count(f, "zip.local-name-mismatch")).isEqualTo(1);
  }

  @Test
  void scan_localCrcDisagreeingWithDirectory_strictRuleHighBesideTheWalksMedium()
      throws IOException {
    byte[] zip = npz(members("w.npy", FLOATS));
    zip[ZipArchiveTest.loc(zip, "w.npy") + 14] ^= 1; // local header CRC-32, low byte
    FileReport f = scan(write("l.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    assertThat(finding(f, "zip.local-size-mismatch").severity()).isEqualTo(Severity.MEDIUM);
    // The file fails because the strict reader refuses it: that reason is a high finding.
    assertThat(finding(f, "zip.local-crc-mismatch").severity()).isEqualTo(Severity.HIGH);
  }

  @Test
  void scan_crcMismatch_failedWhileStreamingUnderReaderRule() throws IOException {
    byte[] zip = npz(members("w.npy", FLOATS));
    int local = ZipArchiveTest.loc(zip, "w.npy");
    int data = local + 30 + "w.npy".length() + ZipArchiveTest.le(zip).getShort(local + 28);
    zip[data + FLOATS.length - 1] ^= 1;
    FileReport f = scan(write("c.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.FAILED);
    Finding x = finding(f, "npz.crc-mismatch");
    assertThat(x.severity()).isEqualTo(Severity.HIGH);
    assertThat(x.location()).isEqualTo("tensor w");
  }

  @Test
  void scan_deflatedMembersWithNaN_valuesCountedThroughTheStrictReader() throws IOException {
    byte[] nan = NpyBytes.npy("<f4", false, "(3,)", NpyBytes.floats(Float.NaN, 0f, 1f));
    byte[] zeros = NpyBytes.npy("<f4", false, "(3,)", new byte[12]);
    byte[] zip = ZipArchiveTest.zip(members("a.npy", nan, "b.npy", zeros), true);
    FileReport f = scan(write("v.npz", zip));
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
    assertThat(finding(f, "tensor.nan").location()).isEqualTo("tensor a");
    assertThat(finding(f, "tensor.all-zero").location()).isEqualTo("tensor b");
  }

  @Test
  void scan_zipWhoseFirstMemberIsNotNpy_readAsZipAndNpyMembersStillChecked() throws IOException {
    byte[] zip =
        npz(
            members(
                "readme.txt",
                "hello".getBytes(StandardCharsets.US_ASCII),
                "o.npy",
                objectArray(call("os", "system", "id").toBytes())));
    FileReport f = scan(write("z.zip", zip));
    assertThat(f.kind()).isEqualTo("zip");
    assertThat(rules(f)).contains("npy.object-array", "pickle.dangerous-import");
  }
}
