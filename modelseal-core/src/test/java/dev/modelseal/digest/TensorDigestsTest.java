package dev.modelseal.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFile;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorDigestsTest {
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;

  /** One line of ctd1-vectors.txt, written by the committed ctd1_vectors.py (numpy + hashlib). */
  static final class Vector {
    private final String name;
    private final DType dtype;
    private final Shape shape;
    private final byte[] payload;
    private final String digest;

    Vector(String name, DType dtype, Shape shape, byte[] payload, String digest) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.payload = payload.clone();
      this.digest = digest;
    }

    String name() {
      return name;
    }

    DType dtype() {
      return dtype;
    }

    Shape shape() {
      return shape;
    }

    byte[] payload() {
      return payload.clone();
    }

    String digest() {
      return digest;
    }
  }

  static List<Vector> vectors() throws IOException {
    List<Vector> out = new ArrayList<>();
    for (String line : lines()) {
      String[] p = line.split(" ", -1);
      if (!p[0].equals("ctd1")) {
        continue;
      }
      long[] dims =
          p[3].equals("-")
              ? new long[0]
              : java.util.Arrays.stream(p[3].split(",", -1)).mapToLong(Long::parseLong).toArray();
      byte[] payload = p[4].equals("-") ? new byte[0] : HEX.parseHex(p[4]);
      out.add(new Vector(p[1], TestWeightFile.DTYPES.get(p[2]), Shape.of(dims), payload, p[5]));
    }
    return out;
  }

  static String vectorValue(String key) throws IOException {
    for (String line : lines()) {
      String[] p = line.split(" ", -1);
      if (p[0].equals(key)) {
        return p[1];
      }
    }
    throw new IllegalStateException(key);
  }

  private static List<String> lines() throws IOException {
    try (InputStream in = TensorDigestsTest.class.getResourceAsStream("ctd1-vectors.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  private WeightFile openTestFile(Path file) throws Exception {
    return TestWeightFile.opener().open(ModelFile.open(file), ParseLimits.defaults()).orElseThrow();
  }

  @Test
  void ctd1_pythonVectors_matchOnEveryPath() throws Exception {
    List<Vector> vs = vectors();
    assertThat(vs).hasSizeGreaterThan(20);
    for (char form : new char[] {'C', 'S', 'X'}) {
      List<TestWeightFile.Spec> specs = new ArrayList<>();
      for (Vector v : vs) {
        specs.add(new TestWeightFile.Spec(v.name(), v.dtype(), v.shape(), v.payload(), form));
      }
      Path file = dir.resolve("vectors-" + form);
      TestWeightFile.write(file, specs, 3);
      try (WeightFile wf = openTestFile(file)) {
        for (int i = 0; i < vs.size(); i++) {
          TensorInfo t = wf.tensors().get(i);
          assertThat(TensorDigests.ctd1(wf, t).hex())
              .as("%s stored as %s", t.name(), form)
              .isEqualTo(vs.get(i).digest());
        }
      }
    }
    for (Vector v : vs) {
      TensorInfo t = new TensorInfo(v.name(), v.dtype(), v.shape(), 0, v.payload().length);
      assertThat(TensorDigests.ctd1(t, ByteBuffer.wrap(v.payload())).hex()).isEqualTo(v.digest());
    }
  }

  @Test
  void ctm1_pythonVectors_matchWhateverTheInputOrder() throws Exception {
    List<TensorDigest> ds = new ArrayList<>();
    for (Vector v : vectors()) {
      ds.add(
          new TensorDigest(
              v.name(), v.dtype(), v.shape(), Digest.fromHex(HashAlgorithm.SHA256, v.digest())));
    }
    String expected = vectorValue("ctm1");
    assertThat(TensorDigests.ctm1(ds).hex()).isEqualTo(expected);
    Collections.reverse(ds);
    assertThat(TensorDigests.ctm1(ds).hex()).isEqualTo(expected);
    Collections.shuffle(ds, new Random(7));
    assertThat(TensorDigests.ctm1(ds).hex()).isEqualTo(expected);
  }

  @Test
  void ctm1_noTensors_isHashOfMagicAlone() throws Exception {
    assertThat(TensorDigests.ctm1(List.of()).hex()).isEqualTo(vectorValue("ctm1-empty"));
  }

  @Test
  void ctd1_largeTensorAcrossWindows_matchesPreimageBuiltByteByByte() throws Exception {
    byte[] payload = new byte[300 * 1100 * 4];
    new Random(3).nextBytes(payload);
    Shape shape = Shape.of(300, 1100);
    Path file = dir.resolve("big");
    TestWeightFile.write(
        file, List.of(new TestWeightFile.Spec("w", DType.F32, shape, payload, 'C')), 5);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("CTD-1".getBytes(StandardCharsets.US_ASCII));
    md.update((byte) 0);
    md.update("F32".getBytes(StandardCharsets.US_ASCII));
    md.update((byte) 0);
    md.update(new byte[] {2, 0, 0, 0});
    md.update(le64(300));
    md.update(le64(1100));
    md.update(le64(payload.length));
    md.update(payload);
    String expected = HEX.formatHex(md.digest());
    try (WeightFile wf = openTestFile(file)) {
      assertThat(TensorDigests.ctd1(wf, wf.tensors().getFirst()).hex()).isEqualTo(expected);
    }
  }

  private static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  @Test
  void ctd1_scalarOneElementAndEmpty_areDistinct() throws Exception {
    byte[] value = le64(Double.doubleToLongBits(3.5));
    Digest scalar =
        TensorDigests.ctd1(new TensorInfo("s", DType.F64, Shape.scalar(), 0, 8), wrap(value));
    Digest one = TensorDigests.ctd1(new TensorInfo("s", DType.F64, Shape.of(1), 0, 8), wrap(value));
    Digest empty =
        TensorDigests.ctd1(new TensorInfo("s", DType.F64, Shape.of(0), 0, 0), wrap(new byte[0]));
    assertThat(scalar).isNotEqualTo(one).isNotEqualTo(empty);
    assertThat(one).isNotEqualTo(empty);
  }

  @Test
  void ctd1_renamedTensor_sameDigest() throws Exception {
    byte[] v = {1, 2, 3, 4};
    assertThat(TensorDigests.ctd1(new TensorInfo("a", DType.U8, Shape.of(4), 0, 4), wrap(v)))
        .isEqualTo(
            TensorDigests.ctd1(new TensorInfo("other", DType.U8, Shape.of(4), 9, 4), wrap(v)));
  }

  @Test
  void ctd1_sizeNotMatchingShape_rejected() {
    TensorInfo t = new TensorInfo("t", DType.F32, Shape.of(2, 3), 0, 20);
    assertRule(() -> TensorDigests.ctd1(t, wrap(new byte[20])), "ctd1.size-mismatch");
  }

  @Test
  void ctd1_partialQuantBlock_rejected() {
    TensorInfo t = new TensorInfo("q", DType.ggmlBlocks("Q4_0", 32, 18), Shape.of(31), 0, 18);
    assertRule(() -> TensorDigests.ctd1(t, wrap(new byte[18])), "ctd1.size-mismatch");
  }

  @Test
  void ctd1_elementCountOverflow_rejected() {
    TensorInfo t = new TensorInfo("o", DType.U8, Shape.of(1L << 40, 1L << 40), 0, 0);
    assertRule(() -> TensorDigests.ctd1(t, wrap(new byte[0])), "ctd1.size-mismatch");
  }

  @Test
  void ctd1_byteSizeOverflow_rejected() {
    TensorInfo t = new TensorInfo("o", DType.F64, Shape.of(1L << 61), 0, 0);
    assertRule(() -> TensorDigests.ctd1(t, wrap(new byte[0])), "ctd1.size-mismatch");
  }

  @Test
  void ctd1_payloadShorterThanDeclared_rejected() {
    TensorInfo t = new TensorInfo("t", DType.U8, Shape.of(4), 0, 4);
    assertRule(() -> TensorDigests.ctd1(t, wrap(new byte[3])), "ctd1.payload-length");
  }

  @Test
  void ctd1_payloadLongerThanDeclared_rejected() {
    TensorInfo t = new TensorInfo("t", DType.U8, Shape.of(4), 0, 4);
    assertRule(() -> TensorDigests.ctd1(t, wrap(new byte[5])), "ctd1.payload-length");
  }

  @Test
  void ctd1_dtypeTagNotPrintableAscii_rejected() {
    TensorInfo t = new TensorInfo("t", new DType("F\u00003", 1, 1, 1), Shape.of(1), 0, 1);
    assertRule(() -> TensorDigests.ctd1(t, wrap(new byte[1])), "ctd1.bad-dtype-tag");
  }

  @Test
  void ctd1_boolByteTwo_rejectedOnEveryPath() throws Exception {
    byte[] payload = new byte[40];
    payload[37] = 2;
    TensorInfo direct = new TensorInfo("b", DType.BOOL, Shape.of(40), 0, 40);
    assertRule(() -> TensorDigests.ctd1(direct, wrap(payload)), TensorDigests.RULE_BOOL_VALUE);
    for (char form : new char[] {'C', 'X'}) {
      Path file = dir.resolve("bool-" + form);
      TestWeightFile.write(
          file, List.of(new TestWeightFile.Spec("b", DType.BOOL, Shape.of(40), payload, form)), 0);
      try (WeightFile wf = openTestFile(file)) {
        assertRule(
            () -> TensorDigests.ctd1(wf, wf.tensors().getFirst()), TensorDigests.RULE_BOOL_VALUE);
      }
    }
  }

  @Test
  void ctd1_boolZeroAndOne_accepted() throws Exception {
    byte[] payload = new byte[19];
    for (int i = 0; i < payload.length; i += 3) {
      payload[i] = 1;
    }
    TensorInfo t = new TensorInfo("b", DType.BOOL, Shape.of(19), 0, 19);
    assertThat(TensorDigests.ctd1(t, wrap(payload)).length()).isEqualTo(32);
  }

  @Test
  void ctd1_storedBytesPastEndOfFile_rejected() throws Exception {
    Path file = dir.resolve("short");
    TestWeightFile.write(
        file, List.of(new TestWeightFile.Spec("t", DType.U8, Shape.of(8), new byte[8], 'C')), 0);
    // Cut the data: the header still promises 8 bytes.
    byte[] all = java.nio.file.Files.readAllBytes(file);
    java.nio.file.Files.write(file, java.util.Arrays.copyOf(all, all.length - 3));
    try (WeightFile wf = openTestFile(file)) {
      assertRule(() -> TensorDigests.ctd1(wf, wf.tensors().getFirst()), "ctd1.tensor-outside-file");
    }
  }

  @Test
  void ctm1_duplicateName_rejected() {
    Digest d = Digest.fromHex(HashAlgorithm.SHA256, "00".repeat(32));
    List<TensorDigest> ts =
        List.of(
            new TensorDigest("w", DType.U8, Shape.of(1), d),
            new TensorDigest("x", DType.U8, Shape.of(1), d),
            new TensorDigest("w", DType.F32, Shape.of(2), d));
    assertRule(() -> TensorDigests.ctm1(ts), "ctm1.duplicate-tensor-name");
  }

  @Test
  void ctm1_namesEqualOnlyOnceEncoded_rejected() {
    // Unpaired surrogates both encode as '?': distinct strings, one name in the preimage.
    Digest d = Digest.fromHex(HashAlgorithm.SHA256, "11".repeat(32));
    List<TensorDigest> ts =
        List.of(
            new TensorDigest("a\uD800", DType.U8, Shape.of(1), d),
            new TensorDigest("a\uDBFF", DType.U8, Shape.of(1), d));
    assertRule(() -> TensorDigests.ctm1(ts), "ctm1.duplicate-tensor-name");
  }

  @Test
  void ctm1_differentDigestOrName_changesResult() throws Exception {
    Digest d0 = Digest.fromHex(HashAlgorithm.SHA256, "00".repeat(32));
    Digest d1 = Digest.fromHex(HashAlgorithm.SHA256, "01".repeat(32));
    Digest base = TensorDigests.ctm1(List.of(new TensorDigest("a", DType.U8, Shape.of(1), d0)));
    assertThat(TensorDigests.ctm1(List.of(new TensorDigest("a", DType.U8, Shape.of(1), d1))))
        .isNotEqualTo(base);
    assertThat(TensorDigests.ctm1(List.of(new TensorDigest("b", DType.U8, Shape.of(1), d0))))
        .isNotEqualTo(base);
  }

  private static ByteBuffer wrap(byte[] b) {
    return ByteBuffer.wrap(b);
  }

  interface Action {
    void run() throws Exception;
  }

  static void assertRule(Action a, String rule) {
    assertThatThrownBy(a::run)
        .isInstanceOf(ModelSealException.class)
        .satisfies(e -> assertThat(((ModelSealException) e).rule()).isEqualTo(rule))
        .hasMessageContaining(rule);
  }
}
