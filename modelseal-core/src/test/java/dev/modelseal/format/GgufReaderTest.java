package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.format.GgufWriter.Bytes;
import dev.modelseal.format.GgufWriter.Tensor;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GgufReaderTest {
  private static final Path FILE = Path.of("test.gguf");
  private static final long BIG = 1L << 60;

  // ---------------------------------------------------------------- helpers

  static GgufFile parse(byte[] bytes) throws FormatException {
    return parse(bytes, ParseLimits.defaults());
  }

  static GgufFile parse(byte[] bytes, ParseLimits limits) throws FormatException {
    return GgufReader.parse(null, MemorySegment.ofArray(bytes), FILE, limits);
  }

  private static FormatException rejected(byte[] bytes, String rule) {
    return rejected(bytes, ParseLimits.defaults(), rule);
  }

  private static FormatException rejected(byte[] bytes, ParseLimits limits, String rule) {
    try {
      parse(bytes, limits);
    } catch (FormatException e) {
      assertThat(e.rule()).as(e.getMessage()).isEqualTo(rule);
      assertThat(e.getMessage()).contains("[" + rule + "]").doesNotContain("\n");
      return e;
    }
    throw new AssertionError("file was accepted; expected " + rule);
  }

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = GgufReaderTest.class.getResourceAsStream("/fixtures/gguf/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static Bytes header(long version, long tensors, long kvs) {
    return new Bytes().ascii("GGUF").u32(version).u64(tensors).u64(kvs);
  }

  private static byte[] floats(float... values) {
    Bytes b = new Bytes();
    for (float v : values) {
      b.f32(v);
    }
    return b.toArray();
  }

  private static byte[] stored(GgufFile f, TensorInfo t) {
    return f.storedBytes(t).toArray(ValueLayout.JAVA_BYTE);
  }

  private static byte[] canonical(GgufFile f, TensorInfo t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    f.readCanonical(
        t,
        chunk -> {
          byte[] b = new byte[chunk.remaining()];
          chunk.get(b);
          out.write(b, 0, b.length);
        });
    return out.toByteArray();
  }

  private static TensorInfo tensor(GgufFile f, String name) {
    return f.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private static GgufWriter twoF32Tensors() {
    return new GgufWriter()
        .tensor(Tensor.f32("a", new long[] {3}, 1, 2, 3))
        .tensor(Tensor.f32("b", new long[] {2}, 4, 5));
  }

  // ---------------------------------------------------------------- valid files

  @Test
  void read_f32F16Fixture_reportsTensorsInFileOrderWithReversedNe() throws Exception {
    GgufFile f = parse(fixture("f32_f16_v3.gguf"));

    assertThat(f.format()).isEqualTo(WeightFormat.GGUF);
    assertThat(f.version()).isEqualTo(3);
    assertThat(f.alignment()).isEqualTo(32);
    assertThat(f.dataOffset()).isEqualTo(640);
    assertThat(f.tensors())
        .containsExactly(
            new TensorInfo("w", DType.F32, Shape.of(2, 3), 640, 24),
            new TensorInfo("b", DType.F16, Shape.of(4), 672, 8));
    assertThat(f.warnings()).isEmpty();
    assertThat(f.ggmlType(f.tensors().get(1))).isEqualTo(GgmlType.F16);
    assertThat(stored(f, f.tensors().get(0))).isEqualTo(floats(1, 2, 3, 4, 5, 6));
  }

  @Test
  void metadata_everyScalarType_givesJsonReadyJavaValues() throws Exception {
    Map<String, Object> m = parse(fixture("f32_f16_v3.gguf")).metadata();

    assertThat(m)
        .containsEntry("general.architecture", "llama")
        .containsEntry("test.u8", 200L)
        .containsEntry("test.i8", -5L)
        .containsEntry("test.u16", 60000L)
        .containsEntry("test.i16", -300L)
        .containsEntry("test.u32", 4_000_000_000L)
        .containsEntry("test.i32", -70000L)
        .containsEntry("test.f32", 0.1)
        .containsEntry("test.bool", true)
        .containsEntry("test.u64", new BigInteger("18446744073709551615"))
        .containsEntry("test.i64", -(1L << 40))
        .containsEntry("test.f64", 2.5)
        .containsEntry("test.strings", List.of("a", "bé", "日本"));
  }

  @Test
  void metadata_keys_keepFileOrder() throws Exception {
    GgufFile f = parse(fixture("f32_f16_v3.gguf"));

    List<String> expected =
        List.of(
            "general.architecture",
            "general.name",
            "test.u8",
            "test.i8",
            "test.u16",
            "test.i16",
            "test.u32",
            "test.i32",
            "test.f32",
            "test.bool",
            "test.u64",
            "test.i64",
            "test.f64",
            "test.strings",
            "test.u32s");
    assertThat(f.metadata().keySet()).containsExactlyElementsOf(expected);
    assertThat(f.values().keySet()).containsExactlyElementsOf(expected);
  }

  @Test
  void metadata_arrayLongerThan16_summarisedWithHeadOf8() throws Exception {
    Map<String, Object> m = parse(fixture("f32_f16_v3.gguf")).metadata();

    assertThat(m.get("test.u32s"))
        .isEqualTo(
            Map.of(
                "type",
                "array",
                "element_type",
                "uint32",
                "length",
                20L,
                "head",
                List.of(0L, 10L, 20L, 30L, 40L, 50L, 60L, 70L)));
  }

  @Test
  void metadata_arrayOf16_keptWhole() throws Exception {
    List<Object> sixteen = new ArrayList<>(Collections.nCopies(16, (Object) "x"));
    byte[] b = new GgufWriter().array("k.list", GgufValueType.STRING, sixteen).toBytes();

    assertThat(parse(b).metadata().get("k.list")).isEqualTo(Collections.nCopies(16, "x"));
  }

  @Test
  void metadata_longTokenList_summarisedAsStrings() throws Exception {
    Map<String, Object> m = parse(fixture("tokenizer_chat_template.gguf")).metadata();

    @SuppressWarnings("unchecked")
    Map<String, Object> tokens = (Map<String, Object>) m.get("tokenizer.ggml.tokens");
    assertThat(tokens)
        .containsEntry("element_type", "string")
        .containsEntry("length", 20L)
        .containsEntry(
            "head", List.of("<unk>", "<s>", "</s>", "tok3", "tok4", "tok5", "tok6", "tok7"));
  }

  @Test
  void value_chatTemplates_readWholeAsText() throws Exception {
    GgufFile f = parse(fixture("tokenizer_chat_template.gguf"));

    assertThat(f.value("tokenizer.chat_template"))
        .get()
        .isInstanceOfSatisfying(
            GgufValue.Text.class,
            t ->
                assertThat(t.text())
                    .startsWith("{% for message in messages %}")
                    .endsWith("{% endif %}"));
    assertThat(((GgufValue.Text) f.value("tokenizer.chat_template.tool_use").orElseThrow()).text())
        .isEqualTo("{{ tools | tojson }}");
    assertThat(f.value("no.such.key")).isEmpty();
  }

  @Test
  void value_largeChatTemplate_readWholeNotTruncated() throws Exception {
    String template = "{# " + "x".repeat(200_000) + " #}{{ bos_token }}";
    byte[] b = new GgufWriter().string("tokenizer.chat_template", template).toBytes();

    GgufValue.Text t = (GgufValue.Text) parse(b).value("tokenizer.chat_template").orElseThrow();

    assertThat(t.byteLength()).isEqualTo(template.length());
    assertThat(t.text()).isEqualTo(template);
    assertThat(parse(b).metadata().get("tokenizer.chat_template")).isEqualTo(template);
  }

  @Test
  void value_tokenArray_iteratesAndIndexesLazily() throws Exception {
    GgufFile f = parse(fixture("tokenizer_chat_template.gguf"));
    GgufValue.Array tokens = (GgufValue.Array) f.value("tokenizer.ggml.tokens").orElseThrow();
    GgufValue.Array scores = (GgufValue.Array) f.value("tokenizer.ggml.scores").orElseThrow();

    List<String> all = new ArrayList<>();
    for (GgufValue v : tokens) {
      all.add(((GgufValue.Text) v).text());
    }
    assertThat(all).hasSize(20).startsWith("<unk>", "<s>", "</s>").endsWith("tok19");
    assertThat(((GgufValue.Text) tokens.get(19)).text()).isEqualTo("tok19");
    assertThat(scores.get(5)).isEqualTo(new GgufValue.Real(GgufValueType.FLOAT32, -5.0));
    assertThat(tokens.head(2)).hasSize(2);
    assertThatThrownBy(() -> tokens.get(20)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void read_150kTokenVocabulary_validatedAndSummarisedLazily() throws Exception {
    int n = 150_000;
    List<String> tokens = new ArrayList<>(n);
    float[] scores = new float[n];
    int[] types = new int[n];
    for (int i = 0; i < n; i++) {
      tokens.add(i % 3 == 0 ? "Ġtoken" + i : "词" + i);
      scores[i] = -i;
      types[i] = 1;
    }
    byte[] b =
        new GgufWriter()
            .stringArray("tokenizer.ggml.tokens", tokens)
            .f32Array("tokenizer.ggml.scores", scores)
            .i32Array("tokenizer.ggml.token_type", types)
            .toBytes();

    GgufFile f = parse(b);

    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) f.metadata().get("tokenizer.ggml.tokens");
    assertThat(summary).containsEntry("length", (long) n);
    assertThat(summary.get("head"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .hasSize(8)
        .startsWith("Ġtoken0", "词1");
    GgufValue.Array arr = (GgufValue.Array) f.value("tokenizer.ggml.tokens").orElseThrow();
    assertThat(((GgufValue.Text) arr.get(n - 1)).text()).isEqualTo(tokens.get(n - 1));
  }

  @Test
  void value_scalars_typed() throws Exception {
    GgufFile f = parse(fixture("f32_f16_v3.gguf"));

    assertThat(f.value("test.u32").orElseThrow())
        .isEqualTo(new GgufValue.Int(GgufValueType.UINT32, 4_000_000_000L));
    assertThat(f.value("test.i8").orElseThrow())
        .isEqualTo(new GgufValue.Int(GgufValueType.INT8, -5));
    assertThat(((GgufValue.Int) f.value("test.u64").orElseThrow()).exact())
        .isEqualTo(new BigInteger("18446744073709551615"));
    assertThat(f.value("test.bool").orElseThrow()).isEqualTo(new GgufValue.Bool(true));
    assertThat(f.value("test.f64").orElseThrow())
        .isEqualTo(new GgufValue.Real(GgufValueType.FLOAT64, 2.5));
  }

  @Test
  void read_version2_accepted() throws Exception {
    GgufFile f = parse(fixture("align64_v2.gguf"));

    assertThat(f.version()).isEqualTo(2);
  }

  @Test
  void read_alignment64_placesEveryTensorOn64ByteBoundaries() throws Exception {
    GgufFile f = parse(fixture("align64_v2.gguf"));

    assertThat(f.alignment()).isEqualTo(64);
    assertThat(f.dataOffset()).isEqualTo(256);
    assertThat(f.tensors()).extracting(TensorInfo::offset).containsExactly(256L, 320L, 384L);
    assertThat(f.tensors().get(2)).isEqualTo(new TensorInfo("c", DType.I32, Shape.of(2), 384, 8));
  }

  @Test
  void read_alignment1_accepted() throws Exception {
    byte[] b = twoF32Tensors().alignment(1).toBytes();

    GgufFile f = parse(b);

    assertThat(f.alignment()).isEqualTo(1);
    assertThat(f.tensors().get(1).offset()).isEqualTo(f.tensors().get(0).offset() + 12);
    assertThat(b.length).isEqualTo(f.tensors().get(1).offset() + 8);
  }

  @Test
  void read_quantizedFixture_reportsGgmlBlockDtypesAndRawBlocks() throws Exception {
    GgufFile f = parse(fixture("q4_0_q8_0.gguf"));

    assertThat(f.tensors())
        .containsExactly(
            new TensorInfo(
                "blk.0.attn_q.weight", DType.ggmlBlocks("Q4_0", 32, 18), Shape.of(2, 32), 320, 36),
            new TensorInfo(
                "blk.0.ffn_up.weight", DType.ggmlBlocks("Q8_0", 32, 34), Shape.of(1, 64), 384, 68),
            new TensorInfo("output_norm.weight", DType.F32, Shape.of(3), 480, 12));
    assertThat(f.tensors().get(0).dtype().tag()).isEqualTo("GGML_Q4_0");
    // Q8_0 block 0 holds -32..-1: scale 32/127, first quant -127.
    byte[] q8 = stored(f, f.tensors().get(1));
    assertThat(Float.float16ToFloat((short) ((q8[0] & 0xff) | (q8[1] << 8))))
        .isCloseTo(32f / 127f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(q8[2]).isEqualTo((byte) -127);
    assertThat(canonical(f, f.tensors().get(1))).isEqualTo(q8);
  }

  @Test
  void read_ranks0To4_shapesAreReversedNeAndScalarIsRank0() throws Exception {
    GgufFile f = parse(fixture("ranks_0_to_4.gguf"));

    assertThat(f.tensors())
        .extracting(TensorInfo::shape)
        .containsExactly(
            Shape.scalar(), Shape.of(2), Shape.of(2, 1), Shape.of(2, 0, 3), Shape.of(1, 2, 1, 2));
    assertThat(f.tensors()).extracting(TensorInfo::nbytes).containsExactly(4L, 8L, 8L, 0L, 16L);
    // A zero-size tensor takes no space: the next one starts at the same offset.
    assertThat(f.tensors().get(3).offset()).isEqualTo(f.tensors().get(4).offset());
    assertThat(canonical(f, f.tensors().get(3))).isEmpty();
  }

  @Test
  void read_mlxStyleNoTrailingPadding_accepted() throws Exception {
    byte[] b = fixture("mlx_no_trailing_padding.gguf");

    GgufFile f = parse(b);

    TensorInfo last = f.tensors().get(f.tensors().size() - 1);
    assertThat(last.offset() + last.nbytes()).isEqualTo(b.length);
    assertThat(last.nbytes() % 32).isNotZero();
    assertThat(f.tensors().get(0).shape()).isEqualTo(Shape.scalar());
  }

  @Test
  void read_tokenTypeAsUint32LikeMlxLm_accepted() throws Exception {
    GgufFile f = parse(fixture("mlx_no_trailing_padding.gguf"));

    assertThat(((GgufValue.Array) f.value("tokenizer.ggml.token_type").orElseThrow()).elementType())
        .isEqualTo(GgufValueType.UINT32);
  }

  @Test
  void read_ggmlStyleTrailingPadding_accepted() throws Exception {
    byte[] b = twoF32Tensors().toBytes();

    GgufFile f = parse(b);

    TensorInfo last = f.tensors().get(1);
    assertThat(b.length - (last.offset() + last.nbytes())).isEqualTo(24);
    assertThat(f.warnings()).isEmpty();
  }

  @Test
  void read_noTensorsNoPadding_accepted() throws Exception {
    byte[] b = new GgufWriter().string("general.architecture", "llama").toBytes();

    GgufFile f = parse(b);

    assertThat(f.tensors()).isEmpty();
    assertThat(f.metadata()).containsEntry("general.architecture", "llama");
  }

  @Test
  void read_noTensorsPaddedToAlignment_accepted() throws Exception {
    byte[] unpadded = new GgufWriter().string("general.architecture", "llama").toBytes();
    byte[] b = Arrays.copyOf(unpadded, (unpadded.length + 31) / 32 * 32);

    assertThat(parse(b).tensors()).isEmpty();
  }

  @Test
  void read_emptyHeader_accepted() throws Exception {
    assertThat(parse(header(3, 0, 0).toArray()).values()).isEmpty();
  }

  @Test
  void read_zeroDimension_accepted() throws Exception {
    byte[] b =
        new GgufWriter()
            .tensor(Tensor.f32("z", new long[] {0, 2}))
            .tensor(Tensor.f32("a", new long[] {1}, 1))
            .toBytes();

    GgufFile f = parse(b);

    assertThat(f.tensors().get(0).shape()).isEqualTo(Shape.of(0, 2));
    assertThat(f.tensors().get(0).nbytes()).isZero();
  }

  @Test
  void read_name63Bytes_accepted() throws Exception {
    String name = "n".repeat(63);
    byte[] b = new GgufWriter().tensor(Tensor.f32(name, new long[] {1}, 1)).toBytes();

    assertThat(parse(b).tensors().get(0).name()).isEqualTo(name);
  }

  @Test
  void read_fourByteUtf8_accepted() throws Exception {
    byte[] b = new GgufWriter().string("general.name", "model 🦙 ñ").toBytes();

    assertThat(parse(b).metadata()).containsEntry("general.name", "model 🦙 ñ");
  }

  @Test
  void read_everyGgmlType_reportsItsDtype() throws Exception {
    GgufWriter w = new GgufWriter();
    for (GgmlType t : GgmlType.values()) {
      w.tensor(
          Tensor.of(
              "t" + t.id(), t, new long[] {2, t.blockElements()}, new byte[2 * t.blockBytes()]));
    }

    GgufFile f = parse(w.toBytes());

    for (GgmlType t : GgmlType.values()) {
      TensorInfo info = tensor(f, "t" + t.id());
      assertThat(info.dtype()).isEqualTo(t.dtype());
      assertThat(info.nbytes()).isEqualTo(2L * t.blockBytes());
      assertThat(f.ggmlType(info)).isEqualTo(t);
    }
  }

  @Test
  void read_throughModelFile_readsFixtureAndClosesFile(@TempDir Path dir) throws Exception {
    Path p = Files.write(dir.resolve("m.gguf"), fixture("tokenizer_chat_template.gguf"));
    ModelFile mf = ModelFile.open(p);

    try (GgufFile f = GgufReader.read(mf, ParseLimits.defaults())) {
      assertThat(f.source()).isSameAs(mf);
      assertThat(f.path()).isEqualTo(p);
      assertThat(f.tensors()).hasSize(1);
      assertThat(canonical(f, f.tensors().get(0))).isEqualTo(stored(f, f.tensors().get(0)));
    }
    assertThatThrownBy(() -> mf.segment().get(ValueLayout.JAVA_BYTE, 0))
        .isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------- data access

  @Test
  void readCanonical_tensorLargerThanOneChunk_streamsStoredBytesInOrder() throws Exception {
    float[] values = new float[300_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    GgufFile f =
        parse(new GgufWriter().tensor(Tensor.f32("big", new long[] {600, 500}, values)).toBytes());
    TensorInfo t = f.tensors().get(0);
    List<Integer> chunkSizes = new ArrayList<>();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    f.readCanonical(
        t,
        chunk -> {
          assertThat(chunk.isReadOnly()).isTrue();
          assertThat(chunk.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
          chunkSizes.add(chunk.remaining());
          byte[] b = new byte[chunk.remaining()];
          chunk.get(b);
          out.write(b, 0, b.length);
        });

    assertThat(chunkSizes).containsExactly(1 << 20, 1_200_000 - (1 << 20));
    assertThat(out.toByteArray()).isEqualTo(floats(values));
  }

  @Test
  void storedBytes_isReadOnlySliceAtTheTensorOffset() throws Exception {
    GgufFile f = parse(fixture("f32_f16_v3.gguf"));
    MemorySegment s = f.storedBytes(f.tensors().get(1));

    assertThat(s.isReadOnly()).isTrue();
    assertThat(s.byteSize()).isEqualTo(8);
    assertThat(Float.float16ToFloat(s.get(GgufCursor.U16, 6))).isEqualTo(65504f);
  }

  @Test
  void storedBytes_tensorFromAnotherFile_rejected() throws Exception {
    GgufFile f = parse(fixture("f32_f16_v3.gguf"));
    TensorInfo foreign = new TensorInfo("w", DType.F32, Shape.of(2, 3), 0, 24);

    assertThatThrownBy(() -> f.storedBytes(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not from this file");
    assertThatThrownBy(() -> f.readCanonical(foreign, c -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------- header rules

  @Test
  void read_badMagic_rejected() {
    byte[] b = new Bytes().ascii("FUGG").u32(3).u64(0).u64(0).toArray();

    FormatException e = rejected(b, "gguf.bad-magic");

    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).startsWith("test.gguf: ");
  }

  @Test
  void read_emptyFile_rejectedAsTruncated() {
    rejected(new byte[0], "gguf.truncated");
  }

  @Test
  void read_version0_rejected() {
    rejected(header(0, 0, 0).toArray(), "gguf.version-unsupported");
  }

  @Test
  void read_version1_rejectedAsObsolete() {
    rejected(header(1, 0, 0).toArray(), "gguf.version-obsolete");
  }

  @Test
  void read_futureVersion_rejected() {
    FormatException e = rejected(header(4, 0, 0).toArray(), "gguf.version-unsupported");

    assertThat(e.offset()).isEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(longs = {0x03000000L, 0x02000000L, 0x00030000L})
  void read_versionWithLow16BitsZero_rejectedAsByteSwapped(long version) {
    rejected(header(version, 0, 0).toArray(), "gguf.byte-swapped");
  }

  @Test
  void read_hugeTensorCount_rejectedBeforeAllocating() {
    byte[] b = Arrays.copyOf(header(3, BIG, 0).toArray(), 100);

    FormatException e = rejected(b, "limit.max-tensors");

    assertThat(e).isInstanceOf(LimitExceededException.class);
    assertThat(e.offset()).isEqualTo(8);
  }

  @Test
  void read_hugeKvCount_rejectedBeforeAllocating() {
    byte[] b = Arrays.copyOf(header(3, 0, BIG).toArray(), 100);

    FormatException e = rejected(b, "limit.max-metadata-entries");

    assertThat(e.offset()).isEqualTo(16);
  }

  @Test
  void read_allOnesCounts_rejectedAsOverLimit() {
    rejected(header(3, -1, 0).toArray(), "limit.max-tensors");
    rejected(header(3, 0, -1).toArray(), "limit.max-metadata-entries");
  }

  @Test
  void read_hugeKvCountWithLimitsRaised_rejectedAgainstFileSize() {
    ParseLimits open =
        ParseLimits.builder().maxMetadataEntries(Long.MAX_VALUE).maxTensors(Long.MAX_VALUE).build();

    rejected(Arrays.copyOf(header(3, 0, BIG).toArray(), 100), open, "gguf.kv-count-exceeds-file");
    rejected(
        Arrays.copyOf(header(3, BIG, 0).toArray(), 100), open, "gguf.tensor-count-exceeds-file");
  }

  @Test
  void read_kvCountAboveWhatFileCanHold_rejected() {
    rejected(Arrays.copyOf(header(3, 0, 6).toArray(), 100), "gguf.kv-count-exceeds-file");
  }

  @Test
  void read_tensorCountAboveWhatFileCanHold_rejected() {
    rejected(Arrays.copyOf(header(3, 4, 0).toArray(), 100), "gguf.tensor-count-exceeds-file");
  }

  @Test
  void read_countsWithinSmallLimits_limitNamed() {
    ParseLimits tight = ParseLimits.builder().maxTensors(1).maxMetadataEntries(1).build();

    rejected(twoF32Tensors().toBytes(), tight, "limit.max-tensors");
    rejected(
        new GgufWriter().u8("a.b", 1).u8("a.c", 2).toBytes(), tight, "limit.max-metadata-entries");
  }

  // ---------------------------------------------------------------- truncation

  static Stream<String> fixtureNames() {
    return GgufFixtures.all().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("fixtureNames")
  void read_fixtureCutAtEveryByte_rejectedUntilLastTensorEnds(String name) throws Exception {
    byte[] whole = fixture(name);
    GgufFile f = parse(whole);
    long lastEnd =
        f.tensors().stream().mapToLong(t -> t.offset() + t.nbytes()).max().orElse(whole.length);
    Set<String> truncationRules =
        Set.of(
            "gguf.truncated",
            "gguf.kv-count-exceeds-file",
            "gguf.tensor-count-exceeds-file",
            "gguf.string-exceeds-file",
            "gguf.array-exceeds-file",
            "gguf.tensor-out-of-bounds");

    for (int n = 0; n < whole.length; n++) {
      byte[] cut = Arrays.copyOf(whole, n);
      if (n >= lastEnd && !f.tensors().isEmpty()) {
        // Cutting trailing padding leaves an MLX-style file: valid.
        assertThat(parse(cut).tensors()).as("cut at %d", n).hasSize(f.tensors().size());
        continue;
      }
      try {
        parse(cut);
        throw new AssertionError(name + " cut at " + n + " was accepted");
      } catch (FormatException e) {
        assertThat(e.rule()).as("cut at %d: %s", n, e.getMessage()).isIn(truncationRules);
      }
    }
  }

  static Stream<Arguments> truncatedFields() {
    Bytes longKey = header(3, 0, 1).string("a.rather.long.metadata.key");
    String tensorName = "a_fairly_long_tensor_name";
    return Stream.of(
        Arguments.of("magic", new Bytes().ascii("GG")),
        Arguments.of("version", new Bytes().ascii("GGUF").u16(3)),
        Arguments.of("tensor count", new Bytes().ascii("GGUF").u32(3).u32(0)),
        Arguments.of("kv count", new Bytes().ascii("GGUF").u32(3).u64(0).u32(0)),
        Arguments.of("value type", header(3, 0, 1).string("a.rather.long.key").u16(4)),
        Arguments.of("scalar value", header(3, 0, 1).string("key.name").u32(4).u16(7)),
        Arguments.of("f64 value", header(3, 0, 1).string("key.name").u32(12).u32(7)),
        Arguments.of("array element type", longKey.u32(9).u16(0)),
        Arguments.of("array length", header(3, 0, 1).string("key.name.long").u32(9).u32(0).u32(1)),
        Arguments.of(
            "string array element length",
            header(3, 0, 1).string("key.name").u32(9).u32(8).u64(2).string("abcdefgh").u32(5)),
        Arguments.of("tensor rank", header(3, 1, 0).string(tensorName).u16(1)),
        Arguments.of("tensor dimension", header(3, 1, 0).string(tensorName).u32(2).u64(4).u32(4)),
        Arguments.of("tensor type", header(3, 1, 0).string(tensorName).u32(1).u64(4).u16(0)),
        Arguments.of(
            "tensor offset", header(3, 1, 0).string(tensorName).u32(1).u64(4).u32(0).u32(0)),
        Arguments.of(
            "padding before data", header(3, 1, 0).string(tensorName).u32(1).u64(0).u32(0).u64(0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("truncatedFields")
  void read_fileEndsInsideField_rejectedAsTruncated(String field, Bytes bytes) {
    FormatException e = rejected(bytes.toArray(), "gguf.truncated");

    assertThat(e.offset()).isLessThanOrEqualTo(bytes.size());
  }

  @Test
  void read_dataNotEnoughData_rejectedAsOutOfBounds() {
    byte[] whole = twoF32Tensors().trailingPadding(false).toBytes();

    FormatException e =
        rejected(Arrays.copyOf(whole, whole.length - 1), "gguf.tensor-out-of-bounds");

    assertThat(e.location()).contains("b");
  }

  // ---------------------------------------------------------------- kv rules

  @Test
  void read_emptyKey_rejected() {
    rejected(new GgufWriter().u32("", 1).toBytes(), "gguf.key-empty");
  }

  @Test
  void read_duplicateKey_rejected() {
    FormatException e =
        rejected(
            new GgufWriter().u32("my_key_0", 1).u32("my_key_0", 2).toBytes(), "gguf.key-duplicate");

    assertThat(e.getMessage()).contains("my_key_0");
  }

  @ParameterizedTest
  @ValueSource(longs = {13, 0xffffffffL})
  void read_unknownValueType_rejected(long type) {
    byte[] b =
        new GgufWriter()
            .raw("my_key".getBytes(StandardCharsets.UTF_8), type, new byte[8])
            .toBytes();

    FormatException e = rejected(b, "gguf.value-type-unknown");

    assertThat(e.getMessage()).contains("my_key");
  }

  @Test
  void read_unknownArrayElementType_rejected() {
    byte[] b =
        new GgufWriter()
            .raw("k.arr", GgufValueType.ARRAY, new Bytes().u32(13).u64(1).u32(0))
            .toBytes();

    rejected(b, "gguf.value-type-unknown");
  }

  @Test
  void read_nestedArray_rejected() {
    Bytes inner = new Bytes().u32(GgufValueType.UINT8.id()).u64(1).u8(1);
    byte[] b =
        new GgufWriter()
            .raw("k.nested", GgufValueType.ARRAY, new Bytes().u32(9).u64(1).bytes(inner.toArray()))
            .toBytes();

    rejected(b, "gguf.array-nested");
  }

  @Test
  void read_boolNotZeroOrOne_rejected() {
    rejected(
        new GgufWriter().raw("k.flag", GgufValueType.BOOL, new Bytes().u8(2)).toBytes(),
        "gguf.bool-invalid");
  }

  @Test
  void read_boolArrayElementNotZeroOrOne_rejected() {
    Bytes arr = new Bytes().u32(GgufValueType.BOOL.id()).u64(3).u8(1).u8(0).u8(0xff);

    rejected(
        new GgufWriter().raw("k.flags", GgufValueType.ARRAY, arr).toBytes(), "gguf.bool-invalid");
  }

  @Test
  void read_boolArrayOfZerosAndOnes_accepted() throws Exception {
    List<Object> flags = List.of(true, false, true);
    byte[] b = new GgufWriter().array("k.flags", GgufValueType.BOOL, flags).toBytes();

    assertThat(parse(b).metadata().get("k.flags")).isEqualTo(flags);
  }

  @Test
  void read_keyLengthBeyondFile_rejected() {
    byte[] b = header(3, 0, 1).u64(1000).ascii("short.key.x").u32(4).u32(0).toArray();

    rejected(b, "gguf.string-exceeds-file");
  }

  @Test
  void read_hugeStringLength_rejectedByLimitBeforeAllocating() {
    byte[] b = header(3, 0, 1).string("k.s").u32(8).u64(BIG).u64(0).toArray();

    rejected(b, "limit.max-array-elements");
  }

  @Test
  void read_stringLongerThanLimit_rejected() {
    ParseLimits tight = ParseLimits.builder().maxArrayElements(4).build();

    rejected(new GgufWriter().string("k", "hello").toBytes(), tight, "limit.max-array-elements");
  }

  @Test
  void read_arrayLongerThanLimit_rejected() {
    ParseLimits tight = ParseLimits.builder().maxArrayElements(4).build();

    rejected(
        new GgufWriter().i32Array("k", 1, 2, 3, 4, 5).toBytes(), tight, "limit.max-array-elements");
  }

  @Test
  void read_hugeArrayCount_rejectedByLimitBeforeAllocating() {
    byte[] b = header(3, 0, 1).string("k.a").u32(9).u32(4).u64(BIG).u64(0).toArray();

    rejected(b, "limit.max-array-elements");
  }

  @Test
  void read_arrayCountBeyondFile_rejected() {
    byte[] b = header(3, 0, 1).string("k.a").u32(9).u32(4).u64(1000).u64(0).toArray();

    rejected(b, "gguf.array-exceeds-file");
  }

  @Test
  void read_stringArrayCountBeyondFile_rejected() {
    byte[] b = header(3, 0, 1).string("k.a").u32(9).u32(8).u64(1000).string("x").toArray();

    rejected(b, "gguf.array-exceeds-file");
  }

  static Stream<Arguments> invalidUtf8() {
    return Stream.of(
        Arguments.of("overlong NUL", new byte[] {(byte) 0xc0, (byte) 0x80}),
        Arguments.of("overlong 3-byte", new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}),
        Arguments.of("surrogate", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}),
        Arguments.of(
            "above U+10FFFF", new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
        Arguments.of("lone continuation", new byte[] {'a', (byte) 0x80}),
        Arguments.of("cut sequence", new byte[] {'a', (byte) 0xe2, (byte) 0x82}),
        Arguments.of("F5 lead", new byte[] {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80}),
        Arguments.of("FF", new byte[] {(byte) 0xff}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUtf8")
  void read_invalidUtf8InValue_rejected(String what, byte[] bad) {
    Bytes value = new Bytes().u64(bad.length).bytes(bad);

    rejected(
        new GgufWriter().raw("k.s", GgufValueType.STRING, value).toBytes(),
        "gguf.string-invalid-utf8");
  }

  @Test
  void read_invalidUtf8InKey_rejected() {
    byte[] key = {'k', (byte) 0xc3, '(', 'x', 'y', 'z'};

    rejected(
        new GgufWriter().raw(key, GgufValueType.UINT8.id(), new byte[] {1}).toBytes(),
        "gguf.string-invalid-utf8");
  }

  @Test
  void read_invalidUtf8InStringArrayElement_rejected() {
    Bytes arr = new Bytes().u32(8).u64(2).string("fine").u64(1).u8(0xfe);

    rejected(
        new GgufWriter().raw("tokenizer.ggml.merges", GgufValueType.ARRAY, arr).toBytes(),
        "gguf.string-invalid-utf8");
  }

  @Test
  void read_invalidUtf8InTensorName_rejected() {
    byte[] name = {'t', (byte) 0xed, (byte) 0xbf, (byte) 0xbf};

    rejected(
        new GgufWriter().tensor(Tensor.f32("t", new long[] {1}, 1).withName(name)).toBytes(),
        "gguf.string-invalid-utf8");
  }

  @Test
  void read_nulInStringValue_rejected() {
    FormatException e =
        rejected(
            new GgufWriter().string("tokenizer.chat_template", "{{ x }}\0{{ hidden }}").toBytes(),
            "gguf.string-contains-nul");

    assertThat(e.getMessage()).contains("tokenizer.chat_template");
  }

  @Test
  void read_nulInKey_rejected() {
    rejected(new GgufWriter().u8("general.name\0x", 1).toBytes(), "gguf.string-contains-nul");
  }

  @Test
  void read_nulInTensorName_rejected() {
    rejected(
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {1}, 1))
            .tensor(Tensor.f32("a\0b", new long[] {1}, 2))
            .toBytes(),
        "gguf.string-contains-nul");
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.<Arguments>of(
        Arguments.of(
            "general.alignment", (UnaryOperator<GgufWriter>) w -> w.i32("general.alignment", 32)),
        Arguments.of(
            "general.alignment array",
            (UnaryOperator<GgufWriter>)
                w -> w.array("general.alignment", GgufValueType.UINT32, List.of(32))),
        Arguments.of(
            "general.architecture",
            (UnaryOperator<GgufWriter>) w -> w.u32("general.architecture", 1)),
        Arguments.of("general.name", (UnaryOperator<GgufWriter>) w -> w.u8("general.name", 1)),
        Arguments.of(
            "general.file_type",
            (UnaryOperator<GgufWriter>) w -> w.string("general.file_type", "F16")),
        Arguments.of(
            "tokenizer.ggml.tokens",
            (UnaryOperator<GgufWriter>) w -> w.f32Array("tokenizer.ggml.tokens", 1, 2)),
        Arguments.of(
            "tokenizer.ggml.tokens scalar",
            (UnaryOperator<GgufWriter>) w -> w.string("tokenizer.ggml.tokens", "a")),
        Arguments.of(
            "tokenizer.ggml.scores",
            (UnaryOperator<GgufWriter>) w -> w.i32Array("tokenizer.ggml.scores", 1, 2)),
        Arguments.of(
            "tokenizer.ggml.token_type",
            (UnaryOperator<GgufWriter>)
                w -> w.array("tokenizer.ggml.token_type", GgufValueType.UINT8, List.of(1, 1))),
        Arguments.of(
            "tokenizer.ggml.bos_token_id",
            (UnaryOperator<GgufWriter>) w -> w.i64("tokenizer.ggml.bos_token_id", 1)),
        Arguments.of(
            "tokenizer.chat_template",
            (UnaryOperator<GgufWriter>) w -> w.u32("tokenizer.chat_template", 1)),
        Arguments.of(
            "tokenizer.chat_template.<name>",
            (UnaryOperator<GgufWriter>)
                w -> w.stringArray("tokenizer.chat_template.rag", List.of("{{ x }}"))),
        Arguments.of(
            "tokenizer.chat_templates",
            (UnaryOperator<GgufWriter>) w -> w.string("tokenizer.chat_templates", "rag")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongTypes")
  void read_knownKeyWithWrongType_rejected(String key, UnaryOperator<GgufWriter> kv) {
    FormatException e = rejected(kv.apply(new GgufWriter()).toBytes(), "gguf.key-wrong-type");

    String named = key.indexOf(' ') < 0 ? key : key.substring(0, key.indexOf(' '));
    assertThat(e.getMessage()).contains(named.replace("<name>", ""));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 13, 48, 0x80000001L})
  void read_alignmentNotAPowerOfTwo_rejected(long alignment) {
    rejected(
        new GgufWriter().u32("general.alignment", alignment).toBytes(), "gguf.alignment-invalid");
  }

  @Test
  void read_alignmentAboveLimit_rejected() {
    FormatException e =
        rejected(
            new GgufWriter().u32("general.alignment", 1L << 21).toBytes(),
            "limit.max-gguf-alignment");

    assertThat(((LimitExceededException) e).max())
        .isEqualTo(ParseLimits.DEFAULT_MAX_GGUF_ALIGNMENT);
  }

  @Test
  void read_scoresLengthDiffersFromTokens_rejected() {
    byte[] b =
        new GgufWriter()
            .stringArray("tokenizer.ggml.tokens", List.of("a", "b", "c"))
            .f32Array("tokenizer.ggml.scores", 0, 0)
            .toBytes();

    FormatException e = rejected(b, "gguf.tokenizer-length-mismatch");

    assertThat(e.getMessage()).contains("tokenizer.ggml.scores");
  }

  @Test
  void read_tokenTypeLengthDiffersFromTokens_rejected() {
    byte[] b =
        new GgufWriter()
            .i32Array("tokenizer.ggml.token_type", 1, 1, 1, 1)
            .stringArray("tokenizer.ggml.tokens", List.of("a", "b", "c"))
            .toBytes();

    rejected(b, "gguf.tokenizer-length-mismatch");
  }

  // ---------------------------------------------------------------- tensor info rules

  @Test
  void read_tensorName64Bytes_rejectedAsTooLong() {
    String name = "my_tensor_0_with_a_very_long_name_which_is_longer_than_allowed__";
    assertThat(name).hasSize(64);

    FormatException e =
        rejected(
            new GgufWriter().tensor(Tensor.f32(name, new long[] {1}, 1)).toBytes(),
            "gguf.tensor-name-too-long");

    assertThat(e.getMessage()).contains("at most 63");
  }

  @Test
  void read_hugeTensorNameLength_rejectedAsTooLong() {
    byte[] b = header(3, 1, 0).u64(-1).zeros(40).toArray();

    rejected(b, "gguf.tensor-name-too-long");
  }

  @Test
  void read_emptyTensorName_rejected() {
    rejected(
        new GgufWriter().tensor(Tensor.f32("", new long[] {1}, 1)).toBytes(),
        "gguf.tensor-name-empty");
  }

  @Test
  void read_duplicateTensorName_rejected() {
    FormatException e =
        rejected(
            new GgufWriter()
                .tensor(Tensor.f32("my_tensor", new long[] {1}, 1))
                .tensor(Tensor.f32("my_tensor", new long[] {1}, 2))
                .toBytes(),
            "gguf.tensor-name-duplicate");

    assertThat(e.location()).contains("my_tensor");
  }

  @Test
  void read_fiveDimensions_rejectedAsBadRank() {
    rejected(
        new GgufWriter().tensor(Tensor.f32("t", new long[] {1}, 1).withNe(1, 1, 1, 1, 1)).toBytes(),
        "gguf.tensor-rank-invalid");
  }

  @Test
  void read_negativeDimension_rejected() {
    rejected(
        new GgufWriter().tensor(Tensor.f32("t", new long[] {1}, 1).withNe(-1)).toBytes(),
        "gguf.dimension-negative");
  }

  @Test
  void read_elementCountOverflowingInt64_rejectedNeTooBig() {
    long big = 4L * Integer.MAX_VALUE;

    rejected(
        new GgufWriter().tensor(Tensor.f32("t", new long[] {1}, 1).withNe(big, big)).toBytes(),
        "gguf.element-count-overflow");
  }

  @Test
  void read_byteSizeOverflowingInt64_rejectedNbytesTooBig() {
    // 2^61 I64 elements fit in int64; their 2^64 bytes do not.
    rejected(
        new GgufWriter()
            .tensor(
                Tensor.f32("t", new long[] {1}, 1).withTypeId(GgmlType.I64.id()).withNe(1L << 61))
            .toBytes(),
        "gguf.tensor-size-overflow");
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 5, 31, 32, 33, 36, 37, 38})
  void read_retiredGgmlType_rejected(long id) {
    rejected(
        new GgufWriter().tensor(Tensor.f32("t", new long[] {1}, 1).withTypeId(id)).toBytes(),
        "gguf.tensor-type-retired");
  }

  @ParameterizedTest
  @ValueSource(longs = {43, 1000, 0xffffffffL})
  void read_unknownGgmlType_rejected(long id) {
    rejected(
        new GgufWriter().tensor(Tensor.f32("t", new long[] {1}, 1).withTypeId(id)).toBytes(),
        "gguf.tensor-type-unknown");
  }

  @Test
  void read_rowNotWholeQuantBlocks_rejected() {
    rejected(
        new GgufWriter()
            .tensor(Tensor.f32("t", new long[] {1}, 1).withTypeId(GgmlType.Q4_0.id()).withNe(16, 2))
            .toBytes(),
        "gguf.row-not-whole-blocks");
  }

  @Test
  void read_quantizedScalar_rejectedAsPartialBlock() {
    rejected(
        new GgufWriter()
            .tensor(Tensor.f32("t", new long[] {1}, 1).withTypeId(GgmlType.Q8_0.id()).withNe())
            .toBytes(),
        "gguf.row-not-whole-blocks");
  }

  // ---------------------------------------------------------------- layout rules

  @Test
  void read_misalignedOffset_rejected() {
    FormatException e =
        rejected(
            new GgufWriter()
                .tensor(Tensor.f32("a", new long[] {2}, 1, 2))
                .tensor(Tensor.f32("b", new long[] {2}, 3, 4).withOffset(8))
                .toBytes(),
            "gguf.offset-misaligned");

    assertThat(e.location()).contains("b");
  }

  @Test
  void read_allOnesOffset_rejectedBadOffset() {
    rejected(
        new GgufWriter().tensor(Tensor.f32("a", new long[] {2}, 1, 2).withOffset(-1)).toBytes(),
        "gguf.offset-misaligned");
  }

  @Test
  void read_layoutAlignedTo1WithoutAlignmentKey_rejectedInconsistentAlign() {
    rejected(twoF32Tensors().layoutAlignment(1).toBytes(), "gguf.offset-misaligned");
  }

  @Test
  void read_overlappingTensors_rejected() {
    rejected(
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {16}, new float[16]))
            .tensor(Tensor.f32("b", new long[] {2}, 3, 4).withOffset(32))
            .toBytes(),
        "gguf.tensor-overlap");
  }

  @Test
  void read_sameOffsetTwice_rejectedAsOverlap() {
    rejected(
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {2}, 1, 2))
            .tensor(Tensor.f32("b", new long[] {2}, 3, 4).withOffset(0))
            .toBytes(),
        "gguf.tensor-overlap");
  }

  @Test
  void read_gapBetweenTensors_rejected() {
    rejected(
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {2}, 1, 2))
            .tensor(Tensor.f32("b", new long[] {2}, 3, 4).withOffset(64))
            .trailer(new byte[32])
            .toBytes(),
        "gguf.tensor-gap");
  }

  @Test
  void read_firstTensorNotAtDataStart_rejectedAsGap() {
    rejected(
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {2}, 1, 2).withOffset(32))
            .trailer(new byte[32])
            .toBytes(),
        "gguf.tensor-gap");
  }

  @Test
  void read_tensorDataBeyondFileEnd_rejected() {
    byte[] b =
        new GgufWriter()
            .tensor(Tensor.f32("a", new long[] {64}, new float[64]).withData(new byte[16]))
            .toBytes();

    rejected(b, "gguf.tensor-out-of-bounds");
  }

  @Test
  void read_twoHugeTensors_rejectedMemSizeOverflow() {
    long huge = 0x7FFFFFFFFFFFFFC0L;
    byte[] b =
        new GgufWriter()
            .tensor(Tensor.of("a", GgmlType.I8, new long[] {1}, new byte[1]).withNe(huge))
            .tensor(Tensor.of("b", GgmlType.I8, new long[] {1}, new byte[1]).withNe(huge))
            .trailer(new byte[32])
            .toBytes();

    rejected(b, "gguf.tensor-out-of-bounds");
  }

  @Test
  void read_moreThanAlignmentMinus1BytesAfterLastTensor_rejectedAsTrailingData() throws Exception {
    byte[] mlx = twoF32Tensors().trailingPadding(false).toBytes();
    long lastEnd = mlx.length;

    byte[] maxPadding = Arrays.copyOf(mlx, (int) lastEnd + 24);
    byte[] oneMore = Arrays.copyOf(mlx, (int) lastEnd + 25);

    assertThat(parse(maxPadding, ParseLimits.defaults()).tensors()).hasSize(2);
    FormatException e = rejected(oneMore, "gguf.trailing-data");
    assertThat(e.offset()).isEqualTo(lastEnd + 24);
  }

  @Test
  void read_zipAppendedAfterPaddedData_rejectedAsPolyglot() {
    byte[] zip = new Bytes().u32(0x04034b50).zeros(60).toArray();

    rejected(twoF32Tensors().trailer(zip).toBytes(), "gguf.trailing-data");
  }

  @Test
  void read_bytesAfterHeaderPaddingWithNoTensors_rejectedAsTrailingData() {
    byte[] unpadded = new GgufWriter().string("general.architecture", "llama").toBytes();
    int padded = (unpadded.length + 31) / 32 * 32;

    rejected(Arrays.copyOf(unpadded, padded + 1), "gguf.trailing-data");
  }

  @Test
  void read_nonZeroHeaderPadding_acceptedWithWarning() throws Exception {
    byte[] b = twoF32Tensors().toBytes();
    long dataStart = parse(b).dataOffset();
    b[(int) dataStart - 1] = 'X';

    GgufFile f = parse(b);

    assertThat(f.warnings()).extracting(Problem::rule).containsExactly("gguf.padding-not-zero");
    assertThat(f.warnings().get(0).message()).contains("before the tensor data");
  }

  @Test
  void read_nonZeroTrailingPadding_acceptedWithWarning() throws Exception {
    byte[] b = twoF32Tensors().toBytes();
    b[b.length - 1] = 1;

    GgufFile f = parse(b);

    assertThat(f.warnings()).extracting(Problem::rule).containsExactly("gguf.padding-not-zero");
    assertThat(f.warnings().get(0).message()).contains("after the last tensor");
  }
}
