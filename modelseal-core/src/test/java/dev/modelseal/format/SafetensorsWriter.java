package dev.modelseal.format;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes safetensors files byte for byte the way the common writers do, for tests and fixtures
 * (published in the core test-jar; other modules' tests use it too).
 *
 * <ul>
 *   <li>{@link Style#HUGGING_FACE}: the reference {@code safetensors} crate (Python {@code
 *       save_file}, {@code torch}, {@code numpy}): tensors ordered by dtype, largest alignment
 *       first ({@code U64, I64, F64, C64, F32, ..., BOOL} — the reverse of the crate's {@code
 *       Dtype} enum), then by name; compact JSON with {@code __metadata__} first (only if there is
 *       metadata); the header padded with spaces to a multiple of 8 bytes.
 *   <li>{@link Style#MLX}: {@code mx.save_safetensors} (nlohmann::json): data in the order the
 *       tensors were added (MLX iterates an unordered map, so any order occurs), the header's keys
 *       sorted (std::map), entry fields as {@code data_offsets, dtype, shape}, no padding, {@code
 *       __metadata__} always present ({@code null} when empty). {@link #mlx()} adds {@code
 *       {"format":"mlx"}} as mlx-lm does.
 * </ul>
 *
 * <p>Both styles escape strings as serde_json and nlohmann do: {@code \"}, {@code \\}, {@code \b \f
 * \n \r \t}, other control characters as six-character u00xx escapes, everything else as raw UTF-8.
 * For malformed files, {@link #file(String, byte[])} and {@link #file(long, String, byte[])}
 * assemble arbitrary bytes.
 */
public final class SafetensorsWriter {
  /** Whose writer to imitate. */
  public enum Style {
    HUGGING_FACE,
    MLX
  }

  /** The reference crate's Dtype enum order (ascending alignment); HF writes the reverse. */
  private static final List<String> REFERENCE_DTYPE_ORDER =
      List.of(
          "BOOL",
          "F4",
          "F6_E2M3",
          "F6_E3M2",
          "U8",
          "I8",
          "F8_E5M2",
          "F8_E4M3",
          "F8_E8M0",
          "F8_E4M3FNUZ",
          "F8_E5M2FNUZ",
          "I16",
          "U16",
          "F16",
          "BF16",
          "I32",
          "U32",
          "F32",
          "C64",
          "F64",
          "I64",
          "U64");

  /** Code-point order, which is UTF-8 byte order (Rust String, std::string, Python sorted). */
  static final Comparator<String> UTF8_ORDER = (a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b));

  private final Style style;
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  private SafetensorsWriter(Style style) {
    this.style = Objects.requireNonNull(style, "style");
  }

  /** A writer in {@code style} with no metadata. */
  public static SafetensorsWriter of(Style style) {
    return new SafetensorsWriter(style);
  }

  /** The reference writer's layout, no metadata. */
  public static SafetensorsWriter huggingFace() {
    return of(Style.HUGGING_FACE);
  }

  /** mlx-lm's layout: MLX style with {@code {"format":"mlx"}} metadata. */
  public static SafetensorsWriter mlx() {
    return of(Style.MLX).metadata("format", "mlx");
  }

  public Style style() {
    return style;
  }

  /** Adds or replaces a {@code __metadata__} entry (kept in insertion order for HF style). */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
    return this;
  }

  /**
   * Adds a tensor with its stored (little-endian, C order) bytes.
   *
   * @throws IllegalArgumentException if the name is taken or {@code data} does not match the shape
   */
  public SafetensorsWriter tensor(String name, DType dtype, long[] shape, byte[] data) {
    Objects.requireNonNull(name, "name");
    if (DType.safetensors(dtype.tag()).isEmpty()) {
      throw new IllegalArgumentException("not a safetensors dtype: " + dtype);
    }
    Shape s = Shape.of(shape);
    long expected =
        dtype.byteSize(
            s.elementCount().orElseThrow(() -> new IllegalArgumentException("shape overflows")));
    if (expected != data.length) {
      throw new IllegalArgumentException(
          name + ": " + s + " of " + dtype + " needs " + expected + " bytes, got " + data.length);
    }
    if (tensors.putIfAbsent(name, new Tensor(name, dtype, s, data.clone())) != null) {
      throw new IllegalArgumentException("tensor added twice: " + name);
    }
    return this;
  }

  /** Adds an F32 tensor. */
  public SafetensorsWriter f32(String name, long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4);
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return tensor(name, DType.F32, shape, b.array());
  }

  /** Adds an I32 tensor. */
  public SafetensorsWriter i32(String name, long[] shape, int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4);
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return tensor(name, DType.I32, shape, b.array());
  }

  /** Adds an I64 tensor. */
  public SafetensorsWriter i64(String name, long[] shape, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8);
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return tensor(name, DType.I64, shape, b.array());
  }

  /** Adds a BOOL tensor (one byte per element, 0 or 1). */
  public SafetensorsWriter bool(String name, long[] shape, boolean... values) {
    byte[] data = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      data[i] = (byte) (values[i] ? 1 : 0);
    }
    return tensor(name, DType.BOOL, shape, data);
  }

  /** Adds a tensor of {@code dtype} whose bytes are a fixed function of {@code seed}. */
  public SafetensorsWriter pattern(String name, DType dtype, long[] shape, int seed) {
    Shape s = Shape.of(shape);
    long n = dtype.byteSize(s.elementCount().orElseThrow());
    byte[] data = new byte[Math.toIntExact(n)];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (seed * 31 + i * 7);
    }
    return tensor(name, dtype, shape, data);
  }

  /** The header JSON exactly as the chosen writer would produce it, including HF's padding. */
  public String headerJson() {
    return style == Style.HUGGING_FACE ? hfHeader(layout()) : mlxHeader(layout());
  }

  /** The complete file. */
  public byte[] toBytes() {
    List<Placed> placed = layout();
    String header = style == Style.HUGGING_FACE ? hfHeader(placed) : mlxHeader(placed);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] h = utf8(header);
    ByteBuffer prefix = ByteBuffer.allocate(8);
    prefix.order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
    out.writeBytes(prefix.array());
    out.writeBytes(h);
    for (Placed p : placed) {
      out.writeBytes(p.tensor().data());
    }
    return out.toByteArray();
  }

  /** Writes {@link #toBytes()} to {@code file} and returns it. */
  public Path write(Path file) throws IOException {
    Files.write(file, toBytes());
    return file;
  }

  /**
   * Splits the tensors, in the order added, into {@code shardCount} files named {@code
   * model-0000i-of-0000n.safetensors} in {@code folder}, each in this writer's style with its
   * metadata, and writes {@code model.safetensors.index.json} the way the style's tool does:
   * transformers ({@code indent=2, sort_keys=True}, trailing newline, {@code total_size} only) or
   * mlx-lm ({@code indent=4}, weight_map sorted, {@code total_size} and {@code total_parameters}).
   *
   * @return the index file
   */
  public Path writeSharded(Path folder, int shardCount) throws IOException {
    if (shardCount < 1 || shardCount > tensors.size()) {
      throw new IllegalArgumentException("need 1.." + tensors.size() + " shards: " + shardCount);
    }
    Files.createDirectories(folder);
    List<Tensor> all = new ArrayList<>(tensors.values());
    Map<String, String> weightMap = new TreeMap<>(UTF8_ORDER);
    long totalSize = 0;
    long totalParameters = 0;
    for (int shard = 0; shard < shardCount; shard++) {
      String fileName =
          String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", shard + 1, shardCount);
      SafetensorsWriter w = of(style);
      metadata.forEach(w::metadata);
      int from = (int) ((long) all.size() * shard / shardCount);
      int to = (int) ((long) all.size() * (shard + 1) / shardCount);
      for (Tensor t : all.subList(from, to)) {
        w.tensor(t.name(), t.dtype(), t.shape().toArray(), t.data());
        weightMap.put(t.name(), fileName);
        totalSize += t.data().length;
        totalParameters += t.shape().elementCount().orElseThrow();
      }
      w.write(folder.resolve(fileName));
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("total_size", totalSize);
    if (style == Style.MLX) {
      meta.put("total_parameters", totalParameters);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("metadata", meta);
    index.put("weight_map", weightMap);
    String json =
        style == Style.HUGGING_FACE
            ? PythonJson.dumps(index, 2, true) + "\n"
            : PythonJson.dumps(index, 4, false);
    Path indexFile = folder.resolve("model.safetensors.index.json");
    Files.writeString(indexFile, json, StandardCharsets.UTF_8);
    return indexFile;
  }

  /** {@code u64 LE} of the header's UTF-8 length, the header, then {@code data}. */
  public static byte[] file(String header, byte[] data) {
    return file(utf8(header).length, header, data);
  }

  /** Like {@link #file(String, byte[])} but with an arbitrary, possibly lying, length prefix. */
  public static byte[] file(long declaredHeaderLength, String header, byte[] data) {
    byte[] h = utf8(header);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length);
    b.order(ByteOrder.LITTLE_ENDIAN).putLong(declaredHeaderLength).put(h).put(data);
    return b.array();
  }

  // ---------------------------------------------------------------------------------------------

  /** A tensor to write; holds its own copy of the bytes. */
  private static final class Tensor {
    private final String name;
    private final DType dtype;
    private final Shape shape;
    private final byte[] data;

    Tensor(String name, DType dtype, Shape shape, byte[] data) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.data = data;
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

    byte[] data() {
      return data;
    }
  }

  private record Placed(Tensor tensor, long begin, long end) {}

  /** Data order and offsets, per style. */
  private List<Placed> layout() {
    List<Tensor> order = new ArrayList<>(tensors.values());
    if (style == Style.HUGGING_FACE) {
      order.sort(
          Comparator.comparingInt((Tensor t) -> REFERENCE_DTYPE_ORDER.indexOf(t.dtype().tag()))
              .reversed()
              .thenComparing(Tensor::name, UTF8_ORDER));
    }
    List<Placed> placed = new ArrayList<>(order.size());
    long offset = 0;
    for (Tensor t : order) {
      placed.add(new Placed(t, offset, offset + t.data().length));
      offset += t.data().length;
    }
    return placed;
  }

  private String hfHeader(List<Placed> placed) {
    StringBuilder sb = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      sb.append(quote("__metadata__")).append(':');
      appendStringMap(sb, metadata);
    }
    for (Placed p : placed) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      Tensor t = p.tensor();
      sb.append(quote(t.name())).append(":{\"dtype\":").append(quote(t.dtype().tag()));
      sb.append(",\"shape\":").append(dims(t.shape()));
      sb.append(",\"data_offsets\":[").append(p.begin()).append(',').append(p.end()).append("]}");
    }
    sb.append('}');
    // The crate pads the header with spaces so that the data starts 8-byte aligned.
    int length = utf8(sb.toString()).length;
    sb.append(" ".repeat((8 - length % 8) % 8));
    return sb.toString();
  }

  private String mlxHeader(List<Placed> placed) {
    Map<String, String> entries = new TreeMap<>(UTF8_ORDER);
    if (metadata.isEmpty()) {
      entries.put("__metadata__", "null");
    } else {
      StringBuilder m = new StringBuilder();
      Map<String, String> sorted = new TreeMap<>(UTF8_ORDER);
      sorted.putAll(metadata);
      appendStringMap(m, sorted);
      entries.put("__metadata__", m.toString());
    }
    for (Placed p : placed) {
      Tensor t = p.tensor();
      entries.put(
          t.name(),
          "{\"data_offsets\":["
              + p.begin()
              + ","
              + p.end()
              + "],\"dtype\":"
              + quote(t.dtype().tag())
              + ",\"shape\":"
              + dims(t.shape())
              + "}");
    }
    StringBuilder sb = new StringBuilder("{");
    entries.forEach(
        (k, v) -> {
          if (sb.length() > 1) {
            sb.append(',');
          }
          sb.append(quote(k)).append(':').append(v);
        });
    return sb.append('}').toString();
  }

  private static void appendStringMap(StringBuilder sb, Map<String, String> map) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
    }
    sb.append('}');
  }

  private static String dims(Shape shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.rank(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(shape.dim(i));
    }
    return sb.append(']').toString();
  }

  /** A JSON string as serde_json and nlohmann write it (no escaping of non-ASCII). */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Python's {@code json.dumps(obj, indent=n, sort_keys=...)} with ensure_ascii, for indexes. */
  private static final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, int indent, boolean sortKeys) {
      StringBuilder sb = new StringBuilder();
      write(sb, value, indent, sortKeys, 0);
      return sb.toString();
    }

    private static void write(
        StringBuilder sb, Object value, int indent, boolean sortKeys, int level) {
      switch (value) {
        case String s -> sb.append(quoteAscii(s));
        case Number n -> sb.append(n);
        case Map<?, ?> map -> {
          if (map.isEmpty()) {
            sb.append("{}");
            return;
          }
          List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
          if (sortKeys) {
            entries.sort(Comparator.comparing(e -> (String) e.getKey(), UTF8_ORDER));
          }
          sb.append('{');
          boolean first = true;
          for (Map.Entry<?, ?> e : entries) {
            sb.append(first ? "" : ",").append('\n').append(" ".repeat(indent * (level + 1)));
            first = false;
            sb.append(quoteAscii((String) e.getKey())).append(": ");
            write(sb, e.getValue(), indent, sortKeys, level + 1);
          }
          sb.append('\n').append(" ".repeat(indent * level)).append('}');
        }
        default -> throw new IllegalArgumentException("unsupported: " + value);
      }
    }

    /** Python's ensure_ascii escaping: everything outside printable ASCII as a u-escape. */
    private static String quoteAscii(String s) {
      StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\b' -> sb.append("\\b");
          case '\f' -> sb.append("\\f");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20 || c > 0x7e) {
              sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      return sb.append('"').toString();
    }
  }
}
