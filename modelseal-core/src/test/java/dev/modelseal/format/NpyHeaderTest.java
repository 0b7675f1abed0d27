package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class NpyHeaderTest {
  private static final String NUMPY = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

  private static NpyHeader parse(byte[] bytes) throws FormatException {
    return NpyHeader.parse(MemorySegment.ofArray(bytes), ParseLimits.defaults(), null, null);
  }

  private static NpyHeader parseDict(String dict) throws FormatException {
    return parse(NpyBytes.npy(dict, new byte[0]));
  }

  private static AbstractThrowableAssert<?, ?> rejects(byte[] bytes, String rule) {
    return assertThatThrownBy(() -> parse(bytes))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("[" + rule + "]")
        .satisfies(e -> assertThat(((FormatException) e).rule()).isEqualTo(rule));
  }

  private static AbstractThrowableAssert<?, ?> rejectsDict(String dict, String rule) {
    return rejects(NpyBytes.npy(dict, new byte[0]), rule);
  }

  @Test
  void parse_numpyHeader_givesFieldsAndDataOffset() throws Exception {
    NpyHeader h = parseDict(NUMPY);
    assertThat(h.descr()).isEqualTo("<f4");
    assertThat(h.fortranOrder()).isFalse();
    assertThat(h.shape().toArray()).containsExactly(2, 3);
    assertThat(h.dataOffset()).isEqualTo(128);
    assertThat(h.version()).isEqualTo("1.0");
    assertThat(h.warnings()).isEmpty();
  }

  @Test
  void parse_mlxHeader_acceptedWithoutWarnings() throws Exception {
    String dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (5, )}";
    // MLX pads with (6 + 2 + 4 + len + 1) % 16 spaces: data ends up unaligned.
    int padding = (6 + 2 + 4 + dict.length() + 1) % 16;
    NpyHeader h = parse(NpyBytes.raw(dict + " ".repeat(padding) + "\n", new byte[0]));
    assertThat(h.fortranOrder()).isTrue();
    assertThat(h.shape().toArray()).containsExactly(5);
    assertThat(h.dataOffset() % 16).isNotZero();
    assertThat(h.warnings()).isEmpty();
  }

  @Test
  void parse_doubleQuotesNoSpacesAndTrailingCommas_accepted() throws Exception {
    NpyHeader h = parseDict("{\"descr\":\"<i8\",\"fortran_order\":True,\"shape\":(1,2,3,),}");
    assertThat(h.descr()).isEqualTo("<i8");
    assertThat(h.fortranOrder()).isTrue();
    assertThat(h.shape().toArray()).containsExactly(1, 2, 3);
  }

  @Test
  void parse_scalarAndOneDimensionalShapes_accepted() throws Exception {
    assertThat(parseDict("{'descr': '<f8', 'fortran_order': False, 'shape': (), }").shape().rank())
        .isZero();
    assertThat(
            parseDict("{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }")
                .shape()
                .toArray())
        .containsExactly(0);
  }

  @Test
  void parse_versions2And3_useFourByteLength() throws Exception {
    String header = NUMPY + "\n";
    NpyHeader v2 =
        parse(NpyBytes.raw(2, 0, header.getBytes(StandardCharsets.ISO_8859_1), new byte[0]));
    NpyHeader v3 = parse(NpyBytes.raw(3, 0, header.getBytes(StandardCharsets.UTF_8), new byte[0]));
    assertThat(v2.dataOffset()).isEqualTo(12 + header.length());
    assertThat(v2.version()).isEqualTo("2.0");
    assertThat(v3.version()).isEqualTo("3.0");
  }

  @Test
  void parse_objectArray_givesDescrAndWhereThePickleStarts() throws Exception {
    byte[] file = Files.readAllBytes(NumpyFixtures.file("object_array.npy"));
    NpyHeader h = parse(file);
    assertThat(h.descr()).isEqualTo("|O");
    assertThat(h.shape().toArray()).containsExactly(3);
    // A pickle starts with the PROTO opcode.
    assertThat(file[(int) h.dataOffset()]).isEqualTo((byte) 0x80);
  }

  @Test
  void parse_headerOnlyPrefix_isEnough() throws Exception {
    byte[] file = NpyBytes.npy(NUMPY, new byte[24]);
    NpyHeader h = parse(java.util.Arrays.copyOf(file, 128));
    assertThat(h.dataOffset()).isEqualTo(128);
  }

  @Test
  void parse_keysOutOfNumpyOrder_warnsThatMlxReadsItDifferently() throws Exception {
    NpyHeader h = parseDict("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4', }");
    assertThat(h.descr()).isEqualTo("<f4");
    assertThat(h.warnings()).extracting(Problem::rule).containsExactly("npy.header-key-order");
  }

  @Test
  void parse_numpyOrderButShiftedSpacing_warnsAboutMlxPositions() throws Exception {
    NpyHeader h = parseDict("{'descr':'<f4', 'fortran_order':  True, 'shape': (2, 3), }");
    assertThat(h.warnings()).extracting(Problem::rule).containsExactly("npy.header-mlx-positional");
  }

  @Test
  void parse_badMagic_rejected() {
    byte[] b = NpyBytes.npy(NUMPY, new byte[0]);
    b[1] = 'X';
    rejects(b, "npy.bad-magic");
  }

  @Test
  void parse_truncatedPreamble_rejected() {
    rejects(new byte[0], "npy.truncated-preamble");
    rejects(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1}, "npy.truncated-preamble");
    rejects(
        new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 10, 0}, "npy.truncated-preamble");
  }

  @Test
  void parse_unknownVersion_rejected() {
    byte[] header = (NUMPY + "\n").getBytes(StandardCharsets.ISO_8859_1);
    rejects(NpyBytes.raw(4, 0, header, new byte[0]), "npy.unsupported-version");
    rejects(NpyBytes.raw(1, 1, header, new byte[0]), "npy.unsupported-version");
    rejects(NpyBytes.raw(0, 0, header, new byte[0]), "npy.unsupported-version");
  }

  @Test
  void parse_headerAboveLimit_rejectedAsLimit() {
    String dict = NUMPY + " ".repeat(10_001 - NUMPY.length() - 1);
    assertThatThrownBy(() -> parse(NpyBytes.raw(dict + "\n", new byte[0])))
        .isInstanceOf(LimitExceededException.class)
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("limit.max-npy-header-bytes");
  }

  @Test
  void parse_headerLengthBeyondFile_rejected() {
    byte[] b = NpyBytes.npy(NUMPY, new byte[0]);
    rejects(java.util.Arrays.copyOf(b, 40), "npy.truncated-header");
  }

  @Test
  void parse_headerWithoutNewline_rejected() {
    rejects(NpyBytes.raw(NUMPY + " ", new byte[0]), "npy.header-not-terminated");
  }

  @Test
  void parse_version3InvalidUtf8_rejected() {
    byte[] header =
        "{'descr': '<f4\u00ff', 'fortran_order': False, 'shape': (), }\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    rejects(NpyBytes.raw(3, 0, header, new byte[0]), "npy.header-encoding");
  }

  @Test
  void parse_parenthesisedIntIsNotATuple_rejected() {
    rejectsDict("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", "npy.header-syntax");
  }

  @Test
  void parse_notAPlainLiteral_rejected() {
    rejectsDict("{'descr': '<f4', 'fortran_order': False, 'shape': (03,), }", "npy.header-syntax");
    rejectsDict("{'descr': '\\x3cf4', 'fortran_order': False, 'shape': (), }", "npy.header-syntax");
    rejectsDict("{'descr': '<f4',\t'fortran_order': False, 'shape': (), }", "npy.header-syntax");
    rejectsDict("{descr: '<f4', 'fortran_order': False, 'shape': (), }", "npy.header-syntax");
    rejectsDict("{'descr': '<f4', 'fortran_order': False, 'shape': (), } x", "npy.header-syntax");
    rejectsDict("{'descr': '<f4', 'fortran_order': False, 'shape': (),, }", "npy.header-syntax");
    rejectsDict("{'descr': '<f4' 'fortran_order': False, 'shape': (), }", "npy.header-syntax");
    rejectsDict("{'descr': '<f4, 'fortran_order': False, 'shape': ()", "npy.header-syntax");
    rejectsDict("('descr', '<f4')", "npy.header-syntax");
  }

  @Test
  void parse_duplicateKey_rejected() {
    rejectsDict(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'descr': '<f8'}",
        "npy.header-duplicate-key");
  }

  @Test
  void parse_unknownKey_rejected() {
    rejectsDict(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': (), }",
        "npy.header-unknown-key");
  }

  @Test
  void parse_missingKey_rejected() {
    rejectsDict("{'descr': '<f4', 'shape': (), }", "npy.header-missing-key");
    rejectsDict("{}", "npy.header-missing-key");
  }

  @Test
  void parse_valuesOfTheWrongType_rejected() {
    rejectsDict("{'descr': '<f4', 'fortran_order': 0, 'shape': (), }", "npy.header-bad-value");
    rejectsDict("{'descr': '<f4', 'fortran_order': Truth, 'shape': (), }", "npy.header-bad-value");
    rejectsDict("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "npy.header-bad-value");
    rejectsDict(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "npy.header-bad-value");
    rejectsDict(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,), }", "npy.header-bad-value");
    rejectsDict("{'descr': 4, 'fortran_order': False, 'shape': (), }", "npy.header-bad-value");
  }

  @Test
  void parse_structuredDescr_rejected() {
    rejectsDict(
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
        "npy.descr-structured");
  }

  @Test
  void parse_dimensionOrCountBeyond64Bits_rejected() {
    rejectsDict(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775808,), }",
        "npy.shape-overflow");
    rejectsDict(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
        "npy.shape-overflow");
  }

  @Test
  void parse_rankAboveLimit_rejectedAsLimit() {
    String dims = "1, ".repeat(65);
    assertThatThrownBy(
            () -> parseDict("{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }"))
        .isInstanceOf(LimitExceededException.class)
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo("limit.max-rank");
  }

  @Test
  void parse_zeroDimensionWithHugeOthers_isNotAnOverflow() throws Exception {
    NpyHeader h =
        parseDict("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 9223372036854775807), }");
    assertThat(h.shape().elementCount().getAsLong()).isZero();
  }
}
