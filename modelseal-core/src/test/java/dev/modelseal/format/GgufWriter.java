package dev.modelseal.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Writes GGUF files for tests, following the layout ggml writes (FORMATS.md, "GGUF"): header, kvs,
 * tensor infos, zero padding to the alignment, then each tensor's data padded to the alignment.
 * Valid by default; every structural field can be overridden to build malformed files.
 *
 * <pre>{@code
 * byte[] gguf = new GgufWriter()
 *     .string("general.architecture", "llama")
 *     .string("tokenizer.chat_template", "{{ messages }}")
 *     .tensor(GgufWriter.Tensor.f32("w", new long[] {2, 3}, 1, 2, 3, 4, 5, 6))
 *     .toBytes();
 * }</pre>
 */
public final class GgufWriter {
  private int version = 3;
  private long alignment = GgufReader.DEFAULT_ALIGNMENT;
  private boolean trailingPadding = true;
  private Long tensorCountOverride;
  private Long kvCountOverride;
  private byte[] trailer = new byte[0];
  private final Bytes kvs = new Bytes();
  private int kvCount;
  private final List<Tensor> tensors = new ArrayList<>();

  /** GGUF version written in the header (default 3). */
  public GgufWriter version(int v) {
    this.version = v;
    return this;
  }

  /**
   * Writes {@code general.alignment} (as the next kv) and lays the data out with it. For a layout
   * that disagrees with the kv, use {@link #layoutAlignment}.
   */
  public GgufWriter alignment(int a) {
    u32("general.alignment", a);
    return layoutAlignment(Integer.toUnsignedLong(a));
  }

  /** The alignment used to place tensors, without writing a kv. */
  public GgufWriter layoutAlignment(long a) {
    this.alignment = a;
    return this;
  }

  /**
   * Whether the last tensor's data is padded to the alignment, as ggml does (default); MLX ends the
   * file right after the last tensor.
   */
  public GgufWriter trailingPadding(boolean pad) {
    this.trailingPadding = pad;
    return this;
  }

  /** Writes this tensor count instead of the real one. */
  public GgufWriter tensorCount(long n) {
    this.tensorCountOverride = n;
    return this;
  }

  /** Writes this kv count instead of the real one. */
  public GgufWriter kvCount(long n) {
    this.kvCountOverride = n;
    return this;
  }

  /** Bytes appended after everything (trailing data). */
  public GgufWriter trailer(byte[] bytes) {
    this.trailer = bytes.clone();
    return this;
  }

  public GgufWriter u8(String key, int v) {
    return raw(key, GgufValueType.UINT8, new Bytes().u8(v));
  }

  public GgufWriter i8(String key, int v) {
    return raw(key, GgufValueType.INT8, new Bytes().u8(v));
  }

  public GgufWriter u16(String key, int v) {
    return raw(key, GgufValueType.UINT16, new Bytes().u16(v));
  }

  public GgufWriter i16(String key, int v) {
    return raw(key, GgufValueType.INT16, new Bytes().u16(v));
  }

  public GgufWriter u32(String key, long v) {
    return raw(key, GgufValueType.UINT32, new Bytes().u32(v));
  }

  public GgufWriter i32(String key, int v) {
    return raw(key, GgufValueType.INT32, new Bytes().u32(v));
  }

  public GgufWriter u64(String key, long v) {
    return raw(key, GgufValueType.UINT64, new Bytes().u64(v));
  }

  public GgufWriter i64(String key, long v) {
    return raw(key, GgufValueType.INT64, new Bytes().u64(v));
  }

  public GgufWriter f32(String key, float v) {
    return raw(key, GgufValueType.FLOAT32, new Bytes().f32(v));
  }

  public GgufWriter f64(String key, double v) {
    return raw(key, GgufValueType.FLOAT64, new Bytes().u64(Double.doubleToRawLongBits(v)));
  }

  public GgufWriter bool(String key, boolean v) {
    return raw(key, GgufValueType.BOOL, new Bytes().u8(v ? 1 : 0));
  }

  public GgufWriter string(String key, String v) {
    return raw(key, GgufValueType.STRING, new Bytes().string(v));
  }

  public GgufWriter stringArray(String key, List<String> values) {
    return array(key, GgufValueType.STRING, values);
  }

  public GgufWriter f32Array(String key, float... values) {
    List<Object> list = new ArrayList<>();
    for (float f : values) {
      list.add(f);
    }
    return array(key, GgufValueType.FLOAT32, list);
  }

  public GgufWriter i32Array(String key, int... values) {
    List<Object> list = new ArrayList<>();
    for (int i : values) {
      list.add(i);
    }
    return array(key, GgufValueType.INT32, list);
  }

  /**
   * An array kv. Elements: {@link Number} for numeric types, {@link Boolean} for BOOL, {@link
   * String} for STRING.
   */
  public GgufWriter array(String key, GgufValueType elementType, List<?> elements) {
    Bytes b = new Bytes().u32(elementType.id()).u64(elements.size());
    for (Object e : elements) {
      element(b, elementType, e);
    }
    return raw(key, GgufValueType.ARRAY, b);
  }

  private static void element(Bytes b, GgufValueType type, Object e) {
    switch (type) {
      case UINT8, INT8 -> b.u8(((Number) e).intValue());
      case UINT16, INT16 -> b.u16(((Number) e).intValue());
      case UINT32, INT32 -> b.u32(((Number) e).longValue());
      case UINT64, INT64 -> b.u64(((Number) e).longValue());
      case FLOAT32 -> b.f32(((Number) e).floatValue());
      case FLOAT64 -> b.u64(Double.doubleToRawLongBits(((Number) e).doubleValue()));
      case BOOL -> b.u8(((Boolean) e) ? 1 : 0);
      case STRING -> b.string((String) e);
      case ARRAY -> throw new IllegalArgumentException("use raw() for nested arrays");
    }
  }

  /** A kv whose value bytes (after the type id) are given as they are. */
  public GgufWriter raw(String key, GgufValueType type, Bytes value) {
    return raw(key.getBytes(StandardCharsets.UTF_8), type.id(), value.toArray());
  }

  /** A kv with any key bytes, any type id and any value bytes. */
  public GgufWriter raw(byte[] key, long typeId, byte[] value) {
    kvs.u64(key.length).bytes(key).u32(typeId).bytes(value);
    kvCount++;
    return this;
  }

  public GgufWriter tensor(Tensor t) {
    tensors.add(Objects.requireNonNull(t));
    return this;
  }

  /** The file. */
  public byte[] toBytes() {
    Bytes out = new Bytes();
    out.ascii("GGUF").u32(version);
    out.u64(tensorCountOverride != null ? tensorCountOverride : tensors.size());
    out.u64(kvCountOverride != null ? kvCountOverride : kvCount);
    out.bytes(kvs.toArray());
    long offset = 0;
    for (Tensor t : tensors) {
      out.u64(t.name.length).bytes(t.name).u32(t.ne.length);
      for (long d : t.ne) {
        out.u64(d);
      }
      out.u32(t.typeId).u64(t.offset != null ? t.offset : offset);
      offset += pad(t.data.length);
    }
    if (!tensors.isEmpty()) {
      out.zeros(pad(out.size()) - out.size());
    }
    for (int i = 0; i < tensors.size(); i++) {
      byte[] d = tensors.get(i).data;
      out.bytes(d);
      if (trailingPadding || i < tensors.size() - 1) {
        out.zeros(pad(d.length) - d.length);
      }
    }
    out.bytes(trailer);
    return out.toArray();
  }

  /** Writes the file to {@code path} and returns the path. */
  public Path write(Path path) throws IOException {
    Files.write(path, toBytes());
    return path;
  }

  private long pad(long n) {
    return (n + alignment - 1) / alignment * alignment;
  }

  /**
   * One tensor: name, {@code ne} (innermost first, as stored), ggml type id, data, and an optional
   * data offset (by default the ggml layout: the previous tensor's end padded to the alignment).
   */
  public static final class Tensor {
    private final byte[] name;
    private final long[] ne;
    private final long typeId;
    private final Long offset;
    private final byte[] data;

    private Tensor(byte[] name, long[] ne, long typeId, Long offset, byte[] data) {
      this.name = name.clone();
      this.ne = ne.clone();
      this.typeId = typeId;
      this.offset = offset;
      this.data = data.clone();
    }

    /**
     * A tensor of {@code type} with a row-major {@code shape}; {@code data} must hold exactly the
     * shape's bytes.
     */
    public static Tensor of(String name, GgmlType type, long[] shape, byte[] data) {
      long[] ne = new long[shape.length];
      long elements = 1;
      for (int i = 0; i < shape.length; i++) {
        ne[i] = shape[shape.length - 1 - i];
        elements *= shape[i];
      }
      long expected = elements / type.blockElements() * type.blockBytes();
      if (elements % type.blockElements() != 0 || expected != data.length) {
        throw new IllegalArgumentException(
            name + ": " + data.length + " bytes for " + Arrays.toString(shape) + " " + type);
      }
      return new Tensor(name.getBytes(StandardCharsets.UTF_8), ne, type.id(), null, data);
    }

    /** An F32 tensor holding {@code values} in C order. */
    public static Tensor f32(String name, long[] shape, float... values) {
      Bytes b = new Bytes();
      for (float v : values) {
        b.f32(v);
      }
      return of(name, GgmlType.F32, shape, b.toArray());
    }

    /** An F16 tensor holding {@code values} (rounded to half precision) in C order. */
    public static Tensor f16(String name, long[] shape, float... values) {
      Bytes b = new Bytes();
      for (float v : values) {
        b.u16(Float.floatToFloat16(v));
      }
      return of(name, GgmlType.F16, shape, b.toArray());
    }

    /** A Q8_0 tensor quantizing {@code values} (a multiple of 32 per row) as ggml does. */
    public static Tensor q8_0(String name, long[] shape, float... values) {
      return of(name, GgmlType.Q8_0, shape, quantizeQ8_0(values));
    }

    /** A Q4_0 tensor quantizing {@code values} (a multiple of 32 per row) as ggml does. */
    public static Tensor q4_0(String name, long[] shape, float... values) {
      return of(name, GgmlType.Q4_0, shape, quantizeQ4_0(values));
    }

    /** The same tensor stored with this data offset. */
    public Tensor withOffset(long offset) {
      return new Tensor(name, ne, typeId, offset, data);
    }

    /** The same tensor with these raw {@code ne} (innermost first) written instead. */
    public Tensor withNe(long... ne) {
      return new Tensor(name, ne, typeId, offset, data);
    }

    /** The same tensor with this ggml type id written instead. */
    public Tensor withTypeId(long typeId) {
      return new Tensor(name, ne, typeId, offset, data);
    }

    /** The same tensor with these name bytes. */
    public Tensor withName(byte[] name) {
      return new Tensor(name, ne, typeId, offset, data);
    }

    /** The same tensor with different data bytes (the shape is not checked against them). */
    public Tensor withData(byte[] data) {
      return new Tensor(name, ne, typeId, offset, data);
    }
  }

  /** ggml's Q8_0: per block of 32, an f16 scale amax/127 and 32 rounded int8. */
  static byte[] quantizeQ8_0(float[] x) {
    Bytes b = new Bytes();
    for (int block = 0; block < x.length / 32; block++) {
      float amax = 0;
      for (int j = 0; j < 32; j++) {
        amax = Math.max(amax, Math.abs(x[block * 32 + j]));
      }
      float d = amax / 127f;
      float id = d != 0 ? 1f / d : 0f;
      b.u16(Float.floatToFloat16(d));
      for (int j = 0; j < 32; j++) {
        float v = x[block * 32 + j] * id;
        b.u8((int) Math.copySign(Math.round(Math.abs(v)), v)); // roundf: half away from zero
      }
    }
    return b.toArray();
  }

  /** ggml's Q4_0: per block of 32, an f16 scale max/-8 and 32 nibbles (j and j+16 share a byte). */
  static byte[] quantizeQ4_0(float[] x) {
    Bytes b = new Bytes();
    for (int block = 0; block < x.length / 32; block++) {
      float amax = 0;
      float max = 0;
      for (int j = 0; j < 32; j++) {
        float v = x[block * 32 + j];
        if (Math.abs(v) > amax) {
          amax = Math.abs(v);
          max = v;
        }
      }
      float d = max / -8f;
      float id = d != 0 ? 1f / d : 0f;
      b.u16(Float.floatToFloat16(d));
      for (int j = 0; j < 16; j++) {
        int q0 = Math.min(15, (int) (x[block * 32 + j] * id + 8.5f));
        int q1 = Math.min(15, (int) (x[block * 32 + j + 16] * id + 8.5f));
        b.u8(q0 | (q1 << 4));
      }
    }
    return b.toArray();
  }

  /** A little-endian byte builder, also for byte-literal malformed files. */
  public static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Bytes u8(int v) {
      out.write(v);
      return this;
    }

    public Bytes u16(int v) {
      return u8(v).u8(v >>> 8);
    }

    public Bytes u32(long v) {
      for (int i = 0; i < 4; i++) {
        out.write((int) (v >>> (8 * i)));
      }
      return this;
    }

    public Bytes u64(long v) {
      for (int i = 0; i < 8; i++) {
        out.write((int) (v >>> (8 * i)));
      }
      return this;
    }

    public Bytes f32(float v) {
      return u32(Float.floatToRawIntBits(v));
    }

    /** A GGUF string: u64 byte length, then UTF-8. */
    public Bytes string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return u64(b.length).bytes(b);
    }

    public Bytes ascii(String s) {
      return bytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    public Bytes bytes(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    public Bytes zeros(long n) {
      for (long i = 0; i < n; i++) {
        out.write(0);
      }
      return this;
    }

    public int size() {
      return out.size();
    }

    public byte[] toArray() {
      return out.toByteArray();
    }
  }
}
