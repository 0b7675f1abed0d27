package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzReaderTest {
  @TempDir Path dir;

  private static final byte[] WEIGHT =
      NpyBytes.npy("<f4", false, "(2, 3)", NpyBytes.floats(1, 2, 3, 4, 5, 6));

  private NpzFile read(byte[] zip) throws Exception {
    ModelFile file = ModelFile.open(NumpyFixtures.write(dir, "t.npz", zip));
    try {
      return NpzReader.read(file, ParseLimits.defaults());
    } catch (FormatException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  private AbstractThrowableAssert<?, ?> rejects(byte[] zip, String rule) {
    return assertThatThrownBy(() -> read(zip).close())
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("[" + rule + "]")
        .satisfies(e -> assertThat(((FormatException) e).rule()).isEqualTo(rule));
  }

  /** Reads fine, then fails with {@code rule} while streaming the only tensor. */
  private void rejectsWhenStreamed(byte[] zip, String rule) throws Exception {
    try (NpzFile f = read(zip)) {
      TensorInfo t = f.tensors().get(0);
      assertThatThrownBy(() -> NumpyFixtures.canonical(f, t))
          .isInstanceOf(FormatException.class)
          .hasMessageContaining("[" + rule + "]")
          .extracting(e -> ((FormatException) e).rule())
          .isEqualTo(rule);
    }
  }

  private static byte[] repeat(int n, byte value) {
    byte[] b = new byte[n];
    Arrays.fill(b, value);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void read_storedAndDeflatedMembers_keysAndCanonicalBytes() throws Exception {
    ZipBuilder z = new ZipBuilder();
    z.stored("w.npy", WEIGHT);
    z.deflated("layer/w.npy", WEIGHT);
    try (NpzFile f = read(z.build())) {
      assertThat(f.format()).isEqualTo(WeightFormat.NPZ);
      assertThat(f.tensors()).extracting(TensorInfo::name).containsExactly("w", "layer/w");
      for (TensorInfo t : f.tensors()) {
        assertThat(t.dtype()).isEqualTo(DType.F32);
        assertThat(NumpyFixtures.canonical(f, t)).isEqualTo(NpyBytes.floats(1, 2, 3, 4, 5, 6));
      }
      assertThat(f.warnings()).isEmpty();
    }
  }

  @Test
  void storedBytes_storedMemberIsItsArrayData_deflatedMemberIsTheWholeStream() throws Exception {
    ZipBuilder z = new ZipBuilder();
    z.stored("s.npy", WEIGHT);
    ZipBuilder.Member d = z.deflated("d.npy", WEIGHT);
    try (NpzFile f = read(z.build())) {
      TensorInfo s = f.tensors().get(0);
      assertThat(f.storedBytes(s).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
          .isEqualTo(NpyBytes.floats(1, 2, 3, 4, 5, 6));
      assertThat(s.offset()).isEqualTo(f.zipMember(s).dataOffset() + 128);
      TensorInfo dt = f.tensors().get(1);
      assertThat(f.storedBytes(dt).byteSize()).isEqualTo(d.stored.length);
      assertThat(dt.offset()).isEqualTo(f.zipMember(dt).dataOffset());
      assertThat(dt.nbytes()).isEqualTo(24);
    }
  }

  @Test
  void metadata_listsEveryMember() throws Exception {
    ZipBuilder z = new ZipBuilder();
    z.deflated("a.npy", WEIGHT);
    try (NpzFile f = read(z.build())) {
      assertThat(f.metadata().get("members"))
          .isEqualTo(
              List.of(
                  Map.of(
                      "name", "a.npy",
                      "key", "a",
                      "compression", "deflate",
                      "descr", "<f4",
                      "fortran_order", false,
                      "version", "1.0")));
      assertThat(f.npyHeader(f.tensors().get(0)).dataOffset()).isEqualTo(128);
    }
  }

  @Test
  void read_keysCollidingAfterStrippingNpy_rejected() {
    ZipBuilder z = new ZipBuilder();
    z.stored("a.npy", WEIGHT);
    z.stored("a", WEIGHT);
    rejects(z.build(), "npz.duplicate-key");
  }

  @Test
  void read_memberNamedJustNpy_rejectedAsEmptyKey() {
    ZipBuilder z = new ZipBuilder();
    z.stored(".npy", WEIGHT);
    rejects(z.build(), "npz.empty-key");
  }

  @Test
  void read_memberNameWithoutNpy_keptWholeWithWarning() throws Exception {
    ZipBuilder z = new ZipBuilder();
    z.stored("weights.bin", WEIGHT);
    try (NpzFile f = read(z.build())) {
      assertThat(f.tensors().get(0).name()).isEqualTo("weights.bin");
      assertThat(f.warnings()).extracting(Problem::rule).containsExactly("npz.member-name-not-npy");
    }
  }

  @Test
  void read_memberThatIsNotNpy_rejected() {
    ZipBuilder z = new ZipBuilder();
    z.stored("a.npy", "#!/bin/sh\necho hi\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    rejects(z.build(), "npz.member-not-npy");
    ZipBuilder d = new ZipBuilder();
    d.deflated("a.npy", new byte[0]);
    rejects(d.build(), "npz.member-not-npy");
  }

  @Test
  void read_memberWithBytesAfterItsArray_rejected() {
    ZipBuilder z = new ZipBuilder();
    z.stored("a.npy", concat(WEIGHT, new byte[] {0}));
    rejects(z.build(), "npz.member-size-mismatch");
    ZipBuilder d = new ZipBuilder();
    d.deflated("a.npy", Arrays.copyOf(WEIGHT, WEIGHT.length - 1));
    rejects(d.build(), "npz.member-size-mismatch");
  }

  @Test
  void read_memberBreakingNpyRules_rejectedWithTheNpyRule() {
    ZipBuilder z = new ZipBuilder();
    z.deflated("o.npy", NpyBytes.npy("|O", false, "(1,)", new byte[8]));
    rejects(z.build(), "npy.descr-object");
    ZipBuilder s = new ZipBuilder();
    s.stored("s.npy", NpyBytes.npy("<f4", false, "(6)", new byte[24]));
    rejects(s.build(), "npy.header-syntax");
  }

  @Test
  void read_objectArrayFromNumpy_rejected() {
    assertThatThrownBy(
            () -> NumpyFixtures.open(NumpyFixtures.file("savez_object_member.npz")).close())
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("npy.descr-object");
  }

  @Test
  void readCanonical_storedCrcMismatch_rejectedBeforeAnyByteIsHandedOver() throws Exception {
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.stored("a.npy", WEIGHT);
    m.centralCrc = m.crc() ^ 1;
    m.localCrc = m.centralCrc;
    try (NpzFile f = read(z.build())) {
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      assertThatThrownBy(
              () -> f.readCanonical(f.tensors().get(0), chunk -> seen.write(chunk.get())))
          .extracting(e -> ((FormatException) e).rule())
          .isEqualTo("npz.crc-mismatch");
      assertThat(seen.size()).isZero();
    }
  }

  @Test
  void readCanonical_deflatedCrcMismatch_rejected() throws Exception {
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.deflated("a.npy", WEIGHT);
    m.centralCrc = m.crc() ^ 0x80000000L;
    m.localCrc = m.centralCrc;
    rejectsWhenStreamed(z.build(), "npz.crc-mismatch");
  }

  @Test
  void readCanonical_deflatedFortranCrcMismatch_rejected() throws Exception {
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m =
        z.deflated("a.npy", NpyBytes.npy("<f4", true, "(2, 3)", NpyBytes.floats(1, 4, 2, 5, 3, 6)));
    m.centralCrc = m.crc() ^ 2;
    m.localCrc = m.centralCrc;
    rejectsWhenStreamed(z.build(), "npz.crc-mismatch");
  }

  @Test
  void readCanonical_deflateBombBeyondDeclaredSize_stopsAtTheDeclaredSize() throws Exception {
    // The member declares a 10-element array, but its stream inflates to 16 MiB more zeros.
    byte[] declared = NpyBytes.npy("<f4", false, "(10,)", new byte[40]);
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.deflated("bomb.npy", declared);
    m.stored = ZipBuilder.deflate(concat(declared, new byte[16 << 20]));
    assertThat(m.stored.length).isLessThan(20_000);
    rejectsWhenStreamed(z.build(), "npz.inflate-exceeds-declared-size");
  }

  @Test
  void readCanonical_streamEndingShortOfDeclaredSize_rejected() throws Exception {
    byte[] header = NpyBytes.npy("<f4", false, "(20000,)", new byte[0]);
    byte[] full = concat(header, new byte[80_000]);
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.deflated("short.npy", full);
    m.stored = ZipBuilder.deflate(concat(header, new byte[40_000]));
    rejectsWhenStreamed(z.build(), "npz.inflate-short");
  }

  @Test
  void read_smallMemberEndingShort_rejectedWhileReadingItsHeader() {
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.deflated("short.npy", WEIGHT);
    m.stored = ZipBuilder.deflate(Arrays.copyOf(WEIGHT, 130));
    rejects(z.build(), "npz.inflate-short");
  }

  @Test
  void readCanonical_compressedDataCutMidStream_rejected() throws Exception {
    byte[] full = NpyBytes.npy("<i8", false, "(20000,)", new byte[160_000]);
    for (int i = 128; i < full.length; i++) {
      full[i] = (byte) (i * 31 ^ (i >>> 7));
    }
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.deflated("cut.npy", full);
    m.stored = Arrays.copyOf(m.stored, m.stored.length / 2);
    rejectsWhenStreamed(z.build(), "npz.inflate-truncated");
  }

  @Test
  void read_garbageDeflateData_rejected() {
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.deflated("bad.npy", WEIGHT);
    m.stored = repeat(40, (byte) 0xFF);
    rejects(z.build(), "npz.inflate-corrupt");
  }

  @Test
  void readCanonical_bytesAfterTheDeflateStream_rejected() throws Exception {
    ZipBuilder z = new ZipBuilder();
    ZipBuilder.Member m = z.deflated("a.npy", WEIGHT);
    m.stored = concat(m.stored, new byte[] {1, 2, 3});
    rejectsWhenStreamed(z.build(), "npz.deflate-trailing-data");
  }

  @Test
  void readCanonical_boolMemberWithByte2_rejectedStoredAndDeflated() throws Exception {
    byte[] npy = NpyBytes.npy("|b1", false, "(4,)", new byte[] {0, 1, 2, 1});
    ZipBuilder s = new ZipBuilder();
    s.stored("b.npy", npy);
    rejectsWhenStreamed(s.build(), "npy.bool-not-0-or-1");
    ZipBuilder d = new ZipBuilder();
    d.deflated("b.npy", npy);
    rejectsWhenStreamed(d.build(), "npy.bool-not-0-or-1");
  }

  @Test
  void readCanonical_largeDeflatedFortranMember_scratchFileAndHeapAgree() throws Exception {
    int rows = 300;
    int cols = 200;
    ByteBuffer stored = ByteBuffer.allocate(rows * cols * 8).order(ByteOrder.BIG_ENDIAN);
    ByteBuffer expected = ByteBuffer.allocate(rows * cols * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        stored.putDouble(r * 1000.0 + c);
      }
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        expected.putDouble(r * 1000.0 + c);
      }
    }
    ZipBuilder z = new ZipBuilder();
    z.deflated("f.npy", NpyBytes.npy(">f8", true, "(300, 200)", stored.array()));
    try (NpzFile f = read(z.build())) {
      TensorInfo t = f.tensors().get(0);
      ByteArrayOutputStream heap = new ByteArrayOutputStream();
      f.readCanonical(t, chunk -> heap.writeBytes(bytes(chunk)), Long.MAX_VALUE);
      ByteArrayOutputStream scratch = new ByteArrayOutputStream();
      List<Path> before = scratchFiles();
      f.readCanonical(t, chunk -> scratch.writeBytes(bytes(chunk)), 0);
      assertThat(heap.toByteArray()).isEqualTo(expected.array());
      assertThat(scratch.toByteArray()).isEqualTo(expected.array());
      assertThat(scratchFiles()).as("scratch file deleted after use").isEqualTo(before);
    }
  }

  @Test
  void readCanonical_largeDeflatedBigEndianMember_streamsInChunks() throws Exception {
    int n = 300_000;
    ByteBuffer stored = ByteBuffer.allocate(n * 4).order(ByteOrder.BIG_ENDIAN);
    ByteBuffer expected = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      stored.putInt(i * 7);
      expected.putInt(i * 7);
    }
    ZipBuilder z = new ZipBuilder();
    z.deflated("big.npy", NpyBytes.npy(">i4", false, "(" + n + ",)", stored.array()));
    try (NpzFile f = read(z.build())) {
      assertThat(NumpyFixtures.canonical(f, f.tensors().get(0))).isEqualTo(expected.array());
    }
  }

  @Test
  void read_everyTruncationOfARealArchive_rejected() throws Exception {
    byte[] zip = Files.readAllBytes(NumpyFixtures.file("same_tensor.savez_compressed.npz"));
    for (int n = 0; n < zip.length; n++) {
      byte[] cut = Arrays.copyOf(zip, n);
      assertThatThrownBy(() -> read(cut).close())
          .as("truncated to %d of %d bytes", n, zip.length)
          .isInstanceOf(FormatException.class);
    }
  }

  @Test
  void readCanonical_memberDataCutAtEachBoundary_rejected() throws Exception {
    // Keep the archive consistent but shorten the deflated stream step by step.
    byte[] content = NpyBytes.npy("<f4", false, "(2, 3)", NpyBytes.floats(1, 2, 3, 4, 5, 6));
    byte[] full = ZipBuilder.deflate(content);
    for (int n = 0; n < full.length; n++) {
      ZipBuilder z = new ZipBuilder();
      ZipBuilder.Member m = z.deflated("a.npy", content);
      m.stored = Arrays.copyOf(full, n);
      byte[] zip = z.build();
      assertThatThrownBy(
              () -> {
                try (NpzFile f = read(zip)) {
                  NumpyFixtures.canonical(f, f.tensors().get(0));
                }
              })
          .as("deflate stream cut to %d of %d bytes", n, full.length)
          .isInstanceOf(FormatException.class);
    }
  }

  private static List<Path> scratchFiles() throws java.io.IOException {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("modelseal-npz-"))
          .sorted()
          .toList();
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
