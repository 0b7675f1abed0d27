package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderTest {
  @TempDir Path dir;

  private NpyFile read(String name, byte[] bytes) throws Exception {
    ModelFile file = ModelFile.open(NumpyFixtures.write(dir, name, bytes));
    try {
      return NpyReader.read(file, ParseLimits.defaults());
    } catch (FormatException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  private void rejects(String descr, String shape, byte[] data, String rule) {
    assertThatThrownBy(() -> read("x.npy", NpyBytes.npy(descr, false, shape, data)).close())
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("[" + rule + "]")
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo(rule);
  }

  private DType dtypeOf(String descr, int itemBytes) throws Exception {
    try (NpyFile f = read("x.npy", NpyBytes.npy(descr, false, "(1,)", new byte[itemBytes]))) {
      return f.tensors().get(0).dtype();
    }
  }

  @Test
  void read_numpyFile_oneTensorNamedAfterTheFile() throws Exception {
    try (NpyFile f =
        read("weights.npy", NpyBytes.npy("<f4", false, "(2,)", NpyBytes.floats(1, 2)))) {
      TensorInfo t = f.tensors().get(0);
      assertThat(t.name()).isEqualTo("weights");
      assertThat(t.dtype()).isEqualTo(DType.F32);
      assertThat(t.offset()).isEqualTo(128);
      assertThat(t.nbytes()).isEqualTo(8);
      assertThat(f.format()).isEqualTo(WeightFormat.NPY);
      assertThat(f.metadata())
          .containsExactly(
              java.util.Map.entry("descr", "<f4"),
              java.util.Map.entry("fortran_order", false),
              java.util.Map.entry("version", "1.0"));
      assertThat(f.storedBytes(t).byteSize()).isEqualTo(8);
    }
  }

  @Test
  void read_fileName_stripsOneTrailingNpyOnly() throws Exception {
    byte[] b = NpyBytes.npy("<f4", false, "()", NpyBytes.floats(1));
    try (NpyFile f = read("a.npy.npy", b)) {
      assertThat(f.tensors().get(0).name()).isEqualTo("a.npy");
    }
    try (NpyFile f = read("noext", b)) {
      assertThat(f.tensors().get(0).name()).isEqualTo("noext");
    }
  }

  @Test
  void read_singleByteTypes_acceptAnyByteOrderCharacter() throws Exception {
    assertThat(dtypeOf("=u1", 1)).isEqualTo(DType.U8);
    assertThat(dtypeOf(">b1", 1)).isEqualTo(DType.BOOL);
    assertThat(dtypeOf("<i1", 1)).isEqualTo(DType.I8);
  }

  @Test
  void read_voids_littleEndianV2IsBf16OthersOpaque() throws Exception {
    assertThat(dtypeOf("<V2", 2)).isEqualTo(DType.BF16);
    assertThat(dtypeOf("|V2", 2).tag()).isEqualTo("V2");
    assertThat(dtypeOf("=V2", 2).tag()).isEqualTo("V2");
    assertThat(dtypeOf("<V4", 4).tag()).isEqualTo("V4");
    assertThat(dtypeOf("|V16", 16).tag()).isEqualTo("V16");
  }

  @Test
  void read_missingOrMachineDependentByteOrder_rejected() {
    rejects("f4", "(1,)", new byte[4], "npy.descr-byte-order");
    rejects("|f4", "(1,)", new byte[4], "npy.descr-byte-order");
    rejects("=i2", "(1,)", new byte[2], "npy.descr-byte-order");
    rejects("", "(1,)", new byte[0], "npy.descr-byte-order");
  }

  @Test
  void read_objectDescr_rejectedAsPickle() {
    rejects("|O", "(1,)", new byte[8], "npy.descr-object");
  }

  @Test
  void read_stringDescrs_rejected() {
    rejects("|S3", "(1,)", new byte[3], "npy.descr-string");
    rejects("<U2", "(1,)", new byte[8], "npy.descr-string");
  }

  @Test
  void read_datetimeDescrs_rejected() {
    rejects("<M8[ns]", "(1,)", new byte[8], "npy.descr-datetime");
    rejects("<m8[s]", "(1,)", new byte[8], "npy.descr-datetime");
  }

  @Test
  void read_longDoubles_rejectedAsPlatformDependent() {
    rejects("<f16", "(1,)", new byte[16], "npy.descr-long-double");
    rejects("<c32", "(1,)", new byte[32], "npy.descr-long-double");
    rejects("<f12", "(1,)", new byte[12], "npy.descr-long-double");
  }

  @Test
  void read_kindSizePairsOutsideTheList_rejected() {
    rejects("<f3", "(1,)", new byte[3], "npy.descr-unsupported");
    rejects("<i16", "(1,)", new byte[16], "npy.descr-unsupported");
    rejects("|b2", "(1,)", new byte[2], "npy.descr-unsupported");
    rejects("<c4", "(1,)", new byte[4], "npy.descr-unsupported");
    rejects("<x4", "(1,)", new byte[4], "npy.descr-unsupported");
    rejects("<f04", "(1,)", new byte[4], "npy.descr-unsupported");
    rejects("|V0", "(1,)", new byte[0], "npy.descr-unsupported");
    rejects("<f", "(1,)", new byte[4], "npy.descr-unsupported");
    rejects("<f4 ", "(1,)", new byte[4], "npy.descr-unsupported");
  }

  @Test
  void read_bigEndianVoid_rejectedAsDifferential() {
    rejects(">V2", "(1,)", new byte[2], "npy.descr-big-endian-void");
  }

  @Test
  void read_countTimesItemSizeOverflows_rejected() {
    rejects("<f8", "(2305843009213693952,)", new byte[0], "npy.shape-overflow");
  }

  @Test
  void read_fileShorterThanShape_rejected() {
    rejects("<f4", "(2, 3)", new byte[23], "npy.data-truncated");
  }

  @Test
  void read_bytesAfterData_rejected() {
    rejects("<f4", "(2, 3)", new byte[25], "npy.trailing-data");
  }

  @Test
  void read_hugeShapeInTinyFile_rejectedBeforeReading() {
    rejects("<f4", "(1000000, 1000000)", new byte[4], "npy.data-truncated");
  }

  @Test
  void readCanonical_boolByteOtherThan0Or1_rejected() throws Exception {
    try (NpyFile f =
        read(
            "b.npy",
            NpyBytes.npy("|b1", false, "(11,)", new byte[] {0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 2}))) {
      TensorInfo t = f.tensors().get(0);
      assertThatThrownBy(() -> NumpyFixtures.canonical(f, t))
          .isInstanceOf(FormatException.class)
          .hasMessageContaining("element 10")
          .extracting(e -> ((FormatException) e).rule())
          .isEqualTo("npy.bool-not-0-or-1");
    }
  }

  @Test
  void readCanonical_boolInFortranOrder_checkedToo() throws Exception {
    byte[] data = {1, 0, 0, 1, 1, 7};
    try (NpyFile f = read("b.npy", NpyBytes.npy("|b1", true, "(2, 3)", data))) {
      assertThatThrownBy(() -> NumpyFixtures.canonical(f, f.tensors().get(0)))
          .extracting(e -> ((FormatException) e).rule())
          .isEqualTo("npy.bool-not-0-or-1");
    }
  }

  @Test
  void readCanonical_bigEndianFortran_swappedAndPermuted() throws Exception {
    // 2x3 int16, Fortran order, big-endian: stored column by column.
    short[][] logical = {{1, 2, 3}, {4, 5, 6}};
    java.nio.ByteBuffer stored = java.nio.ByteBuffer.allocate(12);
    for (int c = 0; c < 3; c++) {
      for (int r = 0; r < 2; r++) {
        stored.putShort(logical[r][c]);
      }
    }
    try (NpyFile f = read("be.npy", NpyBytes.npy(">i2", true, "(2, 3)", stored.array()))) {
      byte[] canonical = NumpyFixtures.canonical(f, f.tensors().get(0));
      assertThat(canonical).containsExactly(1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0);
    }
  }

  @Test
  void readCanonical_complexBigEndian_swapsEachHalf() throws Exception {
    java.nio.ByteBuffer stored = java.nio.ByteBuffer.allocate(8); // big-endian by default
    stored.putFloat(1.5f).putFloat(-2f);
    try (NpyFile f = read("c.npy", NpyBytes.npy(">c8", false, "()", stored.array()))) {
      byte[] canonical = NumpyFixtures.canonical(f, f.tensors().get(0));
      assertThat(canonical).isEqualTo(NpyBytes.floats(1.5f, -2f));
    }
  }

  @Test
  void readCanonical_zeroSize_streamsNothing() throws Exception {
    try (NpyFile f = read("z.npy", NpyBytes.npy(">f8", true, "(0, 5)", new byte[0]))) {
      assertThat(NumpyFixtures.canonical(f, f.tensors().get(0))).isEmpty();
    }
  }

  @Test
  void readCanonical_foreignTensor_refused() throws Exception {
    try (NpyFile f = read("x.npy", NpyBytes.npy("<f4", false, "()", NpyBytes.floats(1)))) {
      TensorInfo other =
          new TensorInfo("y", DType.F32, dev.modelseal.tensor.Shape.scalar(), 128, 4);
      assertThatThrownBy(() -> NumpyFixtures.canonical(f, other))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void read_everyTruncationOfAValidFile_rejectedWithFormatException() throws Exception {
    byte[] full = NpyBytes.npy("<f4", false, "(2, 3)", new byte[24]);
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> read("t.npy", cut).close())
          .as("truncated to %d bytes", n)
          .isInstanceOf(FormatException.class);
    }
  }
}
