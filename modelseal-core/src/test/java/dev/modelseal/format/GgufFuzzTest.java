package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.format.GgufWriter.Tensor;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Feeds arbitrary bytes to {@link GgufReader}. A file must either be rejected with a {@link
 * FormatException} or be accepted and then fully usable: metadata rendered, every value decoded,
 * every tensor streamed. Anything else (a RuntimeException, an Error, a hang) is a bug.
 */
class GgufFuzzTest {
  private static final Path FILE = Path.of("fuzz.gguf");

  @FuzzTest(maxDuration = "5m")
  void fuzzRead(byte[] data) {
    GgufFile f;
    try {
      f = GgufReader.parse(null, MemorySegment.ofArray(data), FILE, ParseLimits.defaults());
    } catch (FormatException e) {
      assertThat(e.rule()).matches("(gguf|limit)\\.[a-z0-9-]+");
      assertThat(e.getMessage()).doesNotContain("\n");
      return;
    }
    try {
      checkAccepted(f, data.length);
    } catch (IOException e) {
      // Allowed by the contract; cannot happen for bytes in memory with a no-op sink.
    }
  }

  /**
   * Builds a valid file from the fuzzer's choices (any value types, ggml types, ranks 0-4,
   * alignments 1-256, either padding style): it must be accepted and read back exactly. Then one
   * byte is changed: the result must be rejected cleanly or be fully usable.
   */
  @FuzzTest(maxDuration = "5m")
  void fuzzWriterRoundTrip(FuzzedDataProvider data) throws FormatException, IOException {
    GgufWriter w = new GgufWriter().version(data.consumeBoolean() ? 3 : 2);
    int alignment = 1 << data.consumeInt(0, 8);
    boolean alignmentKey = alignment != 32 || data.consumeBoolean();
    if (alignmentKey) {
      w.alignment(alignment);
    }
    int kvs = data.consumeInt(0, 6);
    List<GgufValueType> kvTypes = new ArrayList<>();
    for (int i = 0; i < kvs; i++) {
      kvTypes.add(writeKv(w, "fuzz." + i, data));
    }
    int count = data.consumeInt(0, 5);
    List<String> names = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    List<GgmlType> types = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      GgmlType type = data.pickValue(GgmlType.values());
      int rank = type.blockElements() == 1 ? data.consumeInt(0, 4) : data.consumeInt(1, 4);
      long[] shape = new long[rank];
      long elements = 1;
      for (int d = 0; d < rank; d++) {
        shape[d] =
            d == rank - 1
                ? (long) data.consumeInt(0, 2) * type.blockElements()
                : data.consumeInt(0, 3);
        elements *= shape[d];
      }
      byte[] payload =
          Arrays.copyOf(
              data.consumeBytes(64), (int) (elements / type.blockElements() * type.blockBytes()));
      String name = "blk." + i + "." + type.name().toLowerCase(java.util.Locale.ROOT);
      w.tensor(Tensor.of(name, type, shape, payload));
      names.add(name);
      payloads.add(payload);
      shapes.add(shape);
      types.add(type);
    }
    w.trailingPadding(data.consumeBoolean());
    byte[] file = w.toBytes();

    GgufFile f = GgufReader.parse(null, MemorySegment.ofArray(file), FILE, ParseLimits.defaults());

    assertThat(f.alignment()).isEqualTo(alignment);
    assertThat(f.values()).hasSize(kvs + (alignmentKey ? 1 : 0));
    for (int i = 0; i < kvs; i++) {
      assertThat(f.value("fuzz." + i).orElseThrow().type()).isEqualTo(kvTypes.get(i));
    }
    assertThat(f.tensors()).extracting(TensorInfo::name).containsExactlyElementsOf(names);
    for (int i = 0; i < count; i++) {
      TensorInfo t = f.tensors().get(i);
      assertThat(t.shape().toArray()).isEqualTo(shapes.get(i));
      assertThat(t.dtype()).isEqualTo(types.get(i).dtype());
      assertThat(f.storedBytes(t).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(payloads.get(i));
    }
    checkAccepted(f, file.length);

    if (file.length > 0 && data.remainingBytes() > 0) {
      file[data.consumeInt(0, file.length - 1)] ^= (byte) (1 + data.consumeInt(0, 254));
      fuzzRead(file);
    }
  }

  private static GgufValueType writeKv(GgufWriter w, String key, FuzzedDataProvider data) {
    GgufValueType type = data.pickValue(GgufValueType.values());
    switch (type) {
      case UINT8 -> w.u8(key, data.consumeInt(0, 255));
      case INT8 -> w.i8(key, data.consumeByte());
      case UINT16 -> w.u16(key, data.consumeInt(0, 65535));
      case INT16 -> w.i16(key, data.consumeShort());
      case UINT32 -> w.u32(key, data.consumeLong(0, 0xffffffffL));
      case INT32 -> w.i32(key, data.consumeInt());
      case UINT64 -> w.u64(key, data.consumeLong());
      case INT64 -> w.i64(key, data.consumeLong());
      case FLOAT32 -> w.f32(key, data.consumeFloat());
      case FLOAT64 -> w.f64(key, data.consumeDouble());
      case BOOL -> w.bool(key, data.consumeBoolean());
      case STRING -> w.string(key, text(data));
      case ARRAY -> {
        GgufValueType element =
            data.pickValue(
                Arrays.stream(GgufValueType.values())
                    .filter(t -> t != GgufValueType.ARRAY)
                    .toArray(GgufValueType[]::new));
        List<Object> values = new ArrayList<>();
        int n = data.consumeInt(0, 20);
        for (int i = 0; i < n; i++) {
          values.add(
              switch (element) {
                case BOOL -> data.consumeBoolean();
                case STRING -> text(data);
                case FLOAT32 -> data.consumeFloat();
                case FLOAT64 -> data.consumeDouble();
                default -> data.consumeLong();
              });
        }
        w.array(key, element, values);
      }
    }
    return type;
  }

  /** Fuzzer text made a valid GGUF string: no NUL, lone surrogates replaced when encoded. */
  private static String text(FuzzedDataProvider data) {
    String s = data.consumeString(24).replace('\0', '0');
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  private static void checkAccepted(GgufFile f, long size) throws IOException {
    assertThat(f.metadata()).hasSameSizeAs(f.values());
    for (GgufValue v : f.values().values()) {
      if (v instanceof GgufValue.Array a) {
        long n = 0;
        for (GgufValue e : a) {
          touch(e);
          n++;
        }
        assertThat(n).isEqualTo(a.length());
      } else {
        touch(v);
      }
    }
    long end = f.dataOffset();
    for (TensorInfo t : f.tensors()) {
      assertThat(t.offset()).isGreaterThanOrEqualTo(end);
      assertThat(t.offset() % f.alignment()).isEqualTo(f.dataOffset() % f.alignment());
      assertThat(t.offset() + t.nbytes()).isLessThanOrEqualTo(size);
      long[] streamed = {0};
      f.readCanonical(t, chunk -> streamed[0] += chunk.remaining());
      assertThat(streamed[0]).isEqualTo(t.nbytes());
      end = t.offset() + t.nbytes();
    }
    if (!f.tensors().isEmpty()) {
      assertThat(size - end).isLessThan(f.alignment());
    }
  }

  private static void touch(GgufValue v) {
    if (v instanceof GgufValue.Text t) {
      assertThat((long) t.text().length()).isLessThanOrEqualTo(t.byteLength());
    }
  }
}
