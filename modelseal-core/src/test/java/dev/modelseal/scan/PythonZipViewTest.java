package dev.modelseal.scan;

import static dev.modelseal.scan.PickleBuilder.call;
import static dev.modelseal.scan.PickleBuilder.pickle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives that Python's zipfile and PyTorch's reader read differently (hidden central entries, end
 * records in comments, Zip64 records the locator does not point at, prepended data, NUL in names),
 * and a differential test of {@link PythonZipView} against the real CPython zipfile.
 */
class PythonZipViewTest {
  @TempDir Path dir;

  private static final byte[] EVIL = call("os", "system", "id").toBytes();
  private static final byte[] BENIGN = pickle().proto(2).op('}').stop().toBytes();

  private FileReport scan(byte[] zip) throws IOException {
    Path p = dir.resolve("model.pt");
    Files.write(p, zip);
    return ModelScannerTest.scanOne(p);
  }

  private static RawZip.Entry entry(String name, byte[] content) {
    return new RawZip.Entry(name, content, 0);
  }

  /** Two central entries, an end record that counts one: Python reads until size_cd is used. */
  static byte[] understatedCount() {
    List<RawZip.Entry> es = RawZip.list(entry("a/data.pkl", BENIGN), entry("b/extra.pkl", EVIL));
    RawZip z = new RawZip();
    es.forEach(z::local);
    long cdAt = z.position();
    byte[] cd = RawZip.central(es);
    z.raw(cd).raw(RawZip.endRecord(1, cd.length, cdAt, new byte[0]));
    return z.out.toByteArray();
  }

  @Test
  void scan_entryCountUnderstated_disagreementAndHiddenMemberScanned() throws Exception {
    FileReport f = scan(understatedCount());
    assertThat(ModelScannerTest.rules(f))
        .contains("zip.reader-disagreement", "pickle.dangerous-import");
  }

  /**
   * The comment of the real end record holds a second one, the last 22 bytes, which Python and
   * miniz pick; its directory describes a benign member while the real one hides the payload.
   */
  static byte[] fakeEndRecordInComment() {
    RawZip.Entry benign = entry("archive/data.pkl", BENIGN);
    RawZip.Entry evil = entry("archive/data.pkl", EVIL);
    RawZip z = new RawZip();
    z.local(benign).local(evil);
    long cdBenign = z.position();
    byte[] cd1 = RawZip.central(List.of(benign));
    z.raw(cd1);
    long cdEvil = z.position();
    byte[] cd2 = RawZip.central(List.of(evil));
    z.raw(cd2);
    byte[] fake = RawZip.endRecord(1, cd1.length, cdBenign, new byte[0]);
    z.raw(RawZip.endRecord(1, cd2.length, cdEvil, fake));
    return z.out.toByteArray();
  }

  @Test
  void scan_fakeEndRecordInComment_otherDirectoryScanned() throws Exception {
    FileReport f = scan(fakeEndRecordInComment());
    assertThat(ModelScannerTest.rules(f))
        .contains("zip.multiple-end-records", "pickle.dangerous-import");
  }

  /** Python takes the Zip64 record right before the locator; the locator points elsewhere. */
  static byte[] zip64RecordNotWhereLocatorPoints() {
    RawZip.Entry benign = entry("archive/data.pkl", BENIGN);
    RawZip.Entry evil = entry("archive/evil.pkl", EVIL);
    RawZip z = new RawZip();
    z.local(benign).local(evil);
    long cd1At = z.position();
    byte[] cd1 = RawZip.central(List.of(benign));
    z.raw(cd1);
    long r1 = z.position();
    z.raw(RawZip.zip64Record(1, cd1.length, cd1At));
    long cd2At = z.position();
    byte[] cd2 = RawZip.central(List.of(evil));
    z.raw(cd2);
    z.raw(RawZip.zip64Record(1, cd2.length, cd2At));
    z.raw(RawZip.zip64Locator(r1));
    z.raw(RawZip.endRecord(0xffff, 0xffffffffL, 0xffffffffL, new byte[0]));
    return z.out.toByteArray();
  }

  @Test
  void scan_zip64RecordMismatch_pythonsMemberScanned() throws Exception {
    byte[] b = zip64RecordNotWhereLocatorPoints();
    PythonZipView py = PythonZipView.read(MemorySegment.ofArray(b), ParseLimits.defaults(), "");
    assertThat(py.names()).containsExactly("archive/evil.pkl");
    FileReport f = scan(b);
    assertThat(ModelScannerTest.rules(f))
        .contains("zip.reader-disagreement", "pickle.dangerous-import");
  }

  /**
   * The end record's offset points at a benign directory; Python reads the one right before the end
   * record and shifts its offsets by the difference ("concat").
   */
  static byte[] concatShift() {
    RawZip.Entry evil = entry("archive/evil.pkl", EVIL);
    RawZip.Entry benign = entry("archive/data.pkl", BENIGN);
    RawZip z = new RawZip();
    z.local(evil).local(benign);
    long cd1At = z.position();
    byte[] cd1 = RawZip.central(List.of(benign));
    z.raw(cd1);
    long cd2At = z.position();
    long concat = cd2At - cd1At;
    evil.offsetShift = -concat;
    byte[] cd2 = RawZip.central(List.of(evil));
    z.raw(cd2);
    z.raw(RawZip.endRecord(1, cd2.length, cd1At, new byte[0]));
    return z.out.toByteArray();
  }

  @org.junit.jupiter.api.Disabled(
      "archive construction is wrong: CPython agrees with PythonZipView on it (differential"
          + " test), but not with this test's expectation; to be rebuilt")
  @Test
  void scan_concatShiftToAnotherDirectory_pythonsMemberScanned() throws Exception {
    byte[] b = concatShift();
    PythonZipView py = PythonZipView.read(MemorySegment.ofArray(b), ParseLimits.defaults(), "");
    assertThat(py.names()).containsExactly("archive/evil.pkl");
    assertThat(ModelScannerTest.rules(scan(b)))
        .contains("zip.reader-disagreement", "pickle.dangerous-import");
  }

  static byte[] nulInName() {
    RawZip.Entry e = entry("archive/data.pkl", EVIL);
    e.name = "archive/data.pkl\0.txt".getBytes(StandardCharsets.UTF_8);
    e.localName = e.name;
    return RawZip.plain(List.of(e), new byte[0]);
  }

  @Test
  void scan_nulInName_pythonCutsTheName_disagreement() throws Exception {
    PythonZipView py =
        PythonZipView.read(MemorySegment.ofArray(nulInName()), ParseLimits.defaults(), "");
    assertThat(py.names()).containsExactly("archive/data.pkl");
    assertThat(ModelScannerTest.rules(scan(nulInName())))
        .contains("zip.reader-disagreement", "pickle.dangerous-import");
  }

  @Test
  void read_endRecordCloserThan22BytesToTheEnd_notAZip() {
    byte[] b = RawZip.plain(List.of(entry("a", BENIGN)), new byte[] {'P', 'K', 5, 6, 0, 0});
    assertThatThrownBy(
            () -> PythonZipView.read(MemorySegment.ofArray(b), ParseLimits.defaults(), ""))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("zip.python-refuses");
  }

  @Test
  void scan_ordinaryTorchZip_noDisagreement() throws Exception {
    List<RawZip.Entry> es =
        RawZip.list(
            entry("archive/data.pkl", BENIGN),
            new RawZip.Entry("archive/data/0", new byte[64], 0),
            new RawZip.Entry("archive/version", "3\n".getBytes(StandardCharsets.UTF_8), 8));
    FileReport f = scan(RawZip.plain(es, new byte[0]));
    assertThat(f.findings()).isEmpty();
    assertThat(f.status()).isEqualTo(FileStatus.SCANNED);
  }

  // ---- differential against CPython's zipfile ----

  private static final String PY_VIEW =
      """
      import sys, json, zipfile, hashlib
      for path in sys.argv[1:]:
          try:
              z = zipfile.ZipFile(path)
          except Exception:
              print(json.dumps({'ok': False})); continue
          ents = [[i.filename, i.header_offset, i.compress_size, i.file_size,
                   i.compress_type, i.flag_bits] for i in z.infolist()]
          opened = {}
          for n in dict.fromkeys(z.namelist()):
              try:
                  opened[n] = hashlib.sha256(z.read(n)).hexdigest()
              except Exception:
                  opened[n] = 'error'
          print(json.dumps({'ok': True, 'entries': ents, 'open': opened}))
      """;

  /** Our view, in the script's shape. */
  private static String ours(byte[] b) throws NoSuchAlgorithmException {
    ObjectMapper json = new ObjectMapper();
    PythonZipView py;
    try {
      py = PythonZipView.read(MemorySegment.ofArray(b), ParseLimits.defaults(), "");
    } catch (FormatException e) {
      return "{\"ok\":false}";
    }
    var root = json.createObjectNode().put("ok", true);
    var ents = root.putArray("entries");
    for (PythonZipView.Entry e : py.entries()) {
      ents.addArray()
          .add(e.name())
          .add(e.headerOffset())
          .add(e.compressedSize())
          .add(e.size())
          .add(e.method())
          .add(e.flags());
    }
    var opened = root.putObject("open");
    for (String n : py.names()) {
      String v;
      try {
        v =
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256").digest(py.read(py.get(n), 1 << 24, "")));
      } catch (FormatException e) {
        v = "error";
      }
      opened.put(n, v);
    }
    return root.toString();
  }

  /** Hand-made adversarial archives, then seeded random damage to each. */
  private static List<byte[]> corpus() throws Exception {
    List<byte[]> base = new ArrayList<>();
    base.add(understatedCount());
    base.add(fakeEndRecordInComment());
    base.add(zip64RecordNotWhereLocatorPoints());
    base.add(concatShift());
    base.add(nulInName());
    base.add(ZipArchiveTest.zip("archive/data.pkl", EVIL));
    java.util.Map<String, byte[]> m = new java.util.LinkedHashMap<>();
    m.put("config.json", "{\"class_name\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    m.put("model.weights.h5", new byte[300]);
    base.add(ZipArchiveTest.zip(m, true));
    RawZip.Entry dup1 = entry("x.pkl", BENIGN);
    RawZip.Entry dup2 = new RawZip.Entry("x.pkl", EVIL, 8);
    base.add(RawZip.plain(List.of(dup1, dup2), "comment".getBytes(StandardCharsets.UTF_8)));
    RawZip.Entry cp = entry("x", BENIGN);
    cp.name = new byte[] {'n', (byte) 0x82, (byte) 0xe9};
    cp.localName = cp.name;
    base.add(RawZip.plain(List.of(cp), new byte[0]));
    RawZip.Entry other = entry("a.pkl", EVIL);
    other.localName = "b.pkl".getBytes(StandardCharsets.UTF_8);
    base.add(RawZip.plain(List.of(other), new byte[0]));
    RawZip.Entry enc = entry("e.pkl", EVIL);
    enc.flags = 1;
    RawZip.Entry crc = entry("c.pkl", EVIL);
    crc.crc = 1234L;
    RawZip.Entry big = new RawZip.Entry("d.pkl", EVIL, 8);
    big.centralSize = 10L;
    base.add(RawZip.plain(List.of(enc, crc, big), new byte[0]));
    byte[] prefixed = RawZip.plain(List.of(entry("p.pkl", EVIL)), new byte[0]);
    base.add(WrappedContentScanTest.cat(EVIL, prefixed));
    List<byte[]> all = new ArrayList<>(base);
    Random r = new Random(14);
    for (byte[] b : base) {
      for (int i = 0; i < 30; i++) {
        byte[] c = b.clone();
        int flips = 1 + r.nextInt(3);
        for (int k = 0; k < flips; k++) {
          // Mostly the tail: directory, end records, Zip64 records.
          int at =
              r.nextInt(4) == 0
                  ? r.nextInt(c.length)
                  : c.length - 1 - r.nextInt(Math.min(c.length, 160));
          c[at] = (byte) (r.nextInt(3) == 0 ? 0xff : r.nextInt(256));
        }
        if (r.nextInt(8) == 0) {
          c = java.util.Arrays.copyOf(c, c.length - 1 - r.nextInt(Math.min(c.length - 1, 40)));
        }
        all.add(c);
      }
    }
    return all;
  }

  @Test
  void read_generatedArchives_agreesWithCPythonZipfile() throws Exception {
    Path python = python3();
    if (python == null) {
      System.out.println("PythonZipViewTest: python3 not found, differential test skipped");
      return;
    }
    List<byte[]> archives = corpus();
    List<String> args = new ArrayList<>(List.of(python.toString(), "-c", PY_VIEW));
    for (int i = 0; i < archives.size(); i++) {
      Path p = dir.resolve("z" + i + ".zip");
      Files.write(p, archives.get(i));
      args.add(p.toString());
    }
    Process proc = new ProcessBuilder(args).redirectErrorStream(false).start();
    byte[] stdout = proc.getInputStream().readAllBytes();
    assertThat(proc.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(proc.exitValue()).isZero();
    String[] lines = new String(stdout, StandardCharsets.UTF_8).lines().toArray(String[]::new);
    assertThat(lines).hasSize(archives.size());
    ObjectMapper json = new ObjectMapper();
    int readable = 0;
    for (int i = 0; i < archives.size(); i++) {
      JsonNode theirs = json.readTree(lines[i]);
      JsonNode mine = json.readTree(ours(archives.get(i)));
      assertThat(mine).as("archive z%d.zip", i).isEqualTo(theirs);
      readable += theirs.get("ok").asBoolean() ? 1 : 0;
    }
    // The corpus must exercise both sides: archives Python reads and ones it refuses.
    assertThat(readable).isBetween(archives.size() / 5, archives.size() - archives.size() / 10);
  }

  static Path python3() {
    for (String d :
        java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(java.io.File.pathSeparator))
            .splitAsStream(System.getenv().getOrDefault("PATH", ""))
            .toList()) {
      Path p = Path.of(d, "python3");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
