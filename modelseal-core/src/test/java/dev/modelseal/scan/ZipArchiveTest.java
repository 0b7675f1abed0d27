package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class ZipArchiveTest {
  /** Writes a zip of the given members (stored unless {@code deflate}). */
  static byte[] zip(Map<String, byte[]> members, boolean deflate) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bo)) {
      for (Map.Entry<String, byte[]> e : members.entrySet()) {
        ZipEntry ze = new ZipEntry(e.getKey());
        if (!deflate) {
          ze.setMethod(ZipEntry.STORED);
          ze.setSize(e.getValue().length);
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          ze.setCrc(crc.getValue());
        }
        z.putNextEntry(ze);
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return bo.toByteArray();
  }

  static byte[] zip(String name, byte[] content) throws IOException {
    return zip(Map.of(name, content), false);
  }

  static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  static int eocd(byte[] b) {
    for (int p = b.length - 22; p >= 0; p--) {
      if (le(b).getInt(p) == 0x06054b50) {
        return p;
      }
    }
    throw new AssertionError("no EOCD");
  }

  /** Offset of the central directory entry named {@code name}. */
  static int cen(byte[] b, String name) {
    int p = le(b).getInt(eocd(b) + 16);
    while (le(b).getInt(p) == 0x02014b50) {
      int n = le(b).getShort(p + 28) & 0xffff;
      int e = le(b).getShort(p + 30) & 0xffff;
      int c = le(b).getShort(p + 32) & 0xffff;
      if (new String(b, p + 46, n, StandardCharsets.UTF_8).equals(name)) {
        return p;
      }
      p += 46 + n + e + c;
    }
    throw new AssertionError("no entry " + name);
  }

  static int loc(byte[] b, String name) {
    return le(b).getInt(cen(b, name) + 42);
  }

  record Read(ZipArchive zip, Findings findings) {
    List<String> rules() {
      return findings.list().stream().map(Finding::rule).toList();
    }

    byte[] content(String name) throws FormatException {
      ZipArchive.Member m =
          zip.members().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
      return zip.content(m, 1 << 20, findings, name).toArray(ValueLayout.JAVA_BYTE);
    }
  }

  static Read read(byte[] b) throws FormatException {
    Findings f = new Findings("t.zip");
    return new Read(ZipArchive.read(MemorySegment.ofArray(b), ParseLimits.defaults(), f, ""), f);
  }

  private static final byte[] PAYLOAD = "payload-bytes".getBytes(StandardCharsets.US_ASCII);

  @Test
  void read_cleanStoredZip_noFindings() throws Exception {
    Read r = read(zip("archive/data.pkl", PAYLOAD));
    assertThat(r.zip().members())
        .extracting(ZipArchive.Member::name)
        .containsExactly("archive/data.pkl");
    assertThat(r.content("archive/data.pkl")).isEqualTo(PAYLOAD);
    assertThat(r.findings().list()).isEmpty();
  }

  @Test
  void read_deflatedMember_inflated() throws Exception {
    Read r = read(zip(Map.of("a.pkl", PAYLOAD), true));
    assertThat(r.content("a.pkl")).isEqualTo(PAYLOAD);
    assertThat(r.findings().list()).isEmpty();
  }

  @Test
  void read_noEndRecord_rejected() {
    assertThatThrownBy(() -> read("not a zip at all".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(FormatException.class)
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("zip.no-central-directory");
  }

  @Test
  void read_centralDirectoryOutsideFile_rejected() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putInt(eocd(b) + 16, b.length + 100);
    assertThatThrownBy(() -> read(b))
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("zip.no-central-directory");
  }

  @Test
  void read_encryptedFlag_readAnywayAndReported() throws Exception {
    byte[] b = zip("archive/data.pkl", PAYLOAD);
    le(b).putShort(cen(b, "archive/data.pkl") + 8, (short) 1);
    le(b).putShort(loc(b, "archive/data.pkl") + 6, (short) 1);
    Read r = read(b);
    assertThat(r.rules()).containsExactly("zip.encryption-flag");
    assertThat(r.content("archive/data.pkl")).isEqualTo(PAYLOAD);
  }

  @Test
  void read_encryptedOnlyInLocalHeader_reported() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putShort(loc(b, "a") + 6, (short) 0x40);
    assertThat(read(b).rules()).containsExactly("zip.encryption-flag");
  }

  @Test
  void read_flagsDiffer_reported() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putShort(loc(b, "a") + 6, (short) 0x2);
    assertThat(read(b).rules()).containsExactly("zip.flags-mismatch");
  }

  @Test
  void read_crcError_readAnywayAndReported() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    int crc = le(b).getInt(cen(b, "a") + 16) ^ 0xffff;
    le(b).putInt(cen(b, "a") + 16, crc);
    le(b).putInt(loc(b, "a") + 14, crc);
    Read r = read(b);
    assertThat(r.content("a")).isEqualTo(PAYLOAD);
    assertThat(r.rules()).containsExactly("zip.crc-mismatch");
  }

  @Test
  void read_localNameDiffers_centralNameWins() throws Exception {
    byte[] b = zip("archive/data.pkl", PAYLOAD);
    byte[] other = "archive/safe.pkl".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(other, 0, b, loc(b, "archive/data.pkl") + 30, other.length);
    Read r = read(b);
    assertThat(r.rules()).containsExactly("zip.local-name-mismatch");
    assertThat(r.zip().members().getFirst().localName()).isEqualTo("archive/safe.pkl");
    assertThat(r.content("archive/data.pkl")).isEqualTo(PAYLOAD);
  }

  @Test
  void read_methodDiffers_reported() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putShort(loc(b, "a") + 8, (short) 8);
    assertThat(read(b).rules()).contains("zip.method-mismatch");
  }

  @Test
  void read_localSizesDiffer_reported() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putInt(loc(b, "a") + 22, 3);
    assertThat(read(b).rules()).contains("zip.local-size-mismatch");
  }

  @Test
  void read_duplicateNames_reported() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("a", PAYLOAD);
    m.put("b", PAYLOAD);
    byte[] b = zip(m, false);
    // Rename the second central entry to "a": two members named "a".
    b[cen(b, "b") + 46] = 'a';
    assertThat(read(b).rules()).contains("zip.duplicate-name");
  }

  @Test
  void read_localHeaderMissing_reported() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putInt(cen(b, "a") + 42, 5);
    Read r = read(b);
    assertThat(r.rules()).contains("zip.local-header-missing");
    assertThatThrownBy(() -> r.content("a"))
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("zip.local-header-missing");
  }

  @Test
  void content_unknownMethod_rejected() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putShort(cen(b, "a") + 10, (short) 12);
    le(b).putShort(loc(b, "a") + 8, (short) 12);
    Read r = read(b);
    assertThatThrownBy(() -> r.content("a"))
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("zip.unsupported-method");
  }

  @Test
  void content_sizePastEnd_outOfBounds() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putInt(cen(b, "a") + 20, 1 << 30);
    Read r = read(b);
    assertThatThrownBy(() -> r.content("a"))
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("zip.member-out-of-bounds");
  }

  @Test
  void content_inflatesBeyondDeclared_sizeMismatch() throws Exception {
    byte[] b = zip(Map.of("a", PAYLOAD), true);
    le(b).putInt(cen(b, "a") + 24, 3);
    Read r = read(b);
    assertThatThrownBy(() -> r.content("a"))
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("zip.size-mismatch");
  }

  @Test
  void content_corruptDeflate_badDeflate() throws Exception {
    byte[] b = zip(Map.of("a", new byte[200]), true);
    int data = loc(b, "a") + 30 + 1 + (le(b).getShort(loc(b, "a") + 28) & 0xffff);
    b[data] = (byte) 0xff; // reserved block type 3
    Read r = read(b);
    assertThatThrownBy(() -> r.content("a"))
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("zip.bad-deflate");
  }

  @Test
  void read_dataBeforeFirstMember_prepended() throws Exception {
    byte[] z = zip("a", PAYLOAD);
    byte[] b = new byte[z.length + 7];
    System.arraycopy(z, 0, b, 7, z.length);
    // Shift the offsets by the prepended bytes, as a self-extractor would.
    int e = eocd(b);
    le(b).putInt(e + 16, le(b).getInt(e + 16) + 7);
    le(b).putInt(cen(b, "a") + 42, 7);
    Read r = read(b);
    assertThat(r.rules()).containsExactly("zip.prepended-data");
  }

  @Test
  void read_bytesBetweenMembers_unaccounted() throws Exception {
    byte[] z = zip("a", PAYLOAD);
    int cdOffset = le(z).getInt(eocd(z) + 16);
    byte[] b = new byte[z.length + 5];
    System.arraycopy(z, 0, b, 0, cdOffset);
    System.arraycopy(z, cdOffset, b, cdOffset + 5, z.length - cdOffset);
    le(b).putInt(eocd(b) + 16, cdOffset + 5);
    assertThat(read(b).rules()).containsExactly("zip.unaccounted-bytes");
  }

  @Test
  void read_twoEntriesSameLocalHeader_overlapping() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("a", PAYLOAD);
    m.put("b", PAYLOAD);
    byte[] b = zip(m, false);
    le(b).putInt(cen(b, "b") + 42, loc(b, "a"));
    assertThat(read(b).rules()).contains("zip.overlapping-members");
  }

  @Test
  void read_fewerEntriesThanClaimed_truncatedDirectory() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putShort(eocd(b) + 10, (short) 3);
    Read r = read(b);
    assertThat(r.rules()).contains("zip.central-directory-truncated");
    assertThat(r.zip().members()).hasSize(1);
  }

  @Test
  void read_multiDisk_reported() throws Exception {
    byte[] b = zip("a", PAYLOAD);
    le(b).putShort(eocd(b) + 4, (short) 1);
    assertThat(read(b).rules()).contains("zip.multi-disk");
  }

  @Test
  void read_tooManyEntries_limit() throws Exception {
    byte[] b = zip(Map.of("a", PAYLOAD, "b", PAYLOAD), false);
    Findings f = new Findings("t");
    assertThatThrownBy(
            () ->
                ZipArchive.read(
                    MemorySegment.ofArray(b), ParseLimits.builder().maxTensors(1).build(), f, ""))
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("limit.max-tensors");
  }

  @Test
  void read_zip64Records_followed() throws Exception {
    // Rewrite a one-member zip with Zip64 end records and a Zip64 extra in the central entry.
    byte[] z = zip("a", PAYLOAD);
    int cdOff = le(z).getInt(eocd(z) + 16);
    int cenLen = eocd(z) - cdOff;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(z, 0, cdOff);
    // central entry with lho = 0xFFFFFFFF and a zip64 extra carrying it
    byte[] cenEntry = new byte[cenLen + 12];
    System.arraycopy(z, cdOff, cenEntry, 0, 46 + 1);
    le(cenEntry).putShort(30, (short) 12);
    le(cenEntry).putInt(42, 0xffffffff);
    le(cenEntry).putShort(47, (short) 1).putShort(49, (short) 8).putLong(51, 0);
    o.write(cenEntry, 0, 46 + 1 + 12);
    int z64 = o.size();
    ByteBuffer rec = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
    rec.putInt(0x06064b50)
        .putLong(44)
        .putShort((short) 45)
        .putShort((short) 45)
        .putInt(0)
        .putInt(0);
    rec.putLong(1).putLong(1).putLong(46 + 1 + 12).putLong(cdOff);
    o.write(rec.array());
    ByteBuffer locator = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    locator.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
    o.write(locator.array());
    ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
    end.putInt(0x06054b50)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) -1)
        .putShort((short) -1);
    end.putInt(-1).putInt(-1).putShort((short) 0);
    o.write(end.array());
    Read r = read(o.toByteArray());
    assertThat(r.content("a")).isEqualTo(PAYLOAD);
    assertThat(r.rules()).doesNotContain("zip.local-header-missing");
  }
}
