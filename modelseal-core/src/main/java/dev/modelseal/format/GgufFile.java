package dev.modelseal.format;

import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A GGUF file whose header, metadata, tensor infos and data layout have been validated by {@link
 * GgufReader}. Tensor shapes are row-major (the reverse of GGUF's {@code ne}); quantized tensors
 * are reported as {@code GGML_<TYPE>} block dtypes whose canonical bytes are the raw blocks.
 */
public final class GgufFile implements WeightFile {
  /** Arrays longer than this are summarised in {@link #metadata()}. */
  static final int JSON_ARRAY_MAX = 16;

  /** Elements shown in the head of a summarised array. */
  static final int JSON_ARRAY_HEAD = 8;

  /** Bytes handed to a {@link CanonicalSink} at a time. */
  static final int CHUNK_BYTES = 1 << 20;

  private final ModelFile source;
  private final MemorySegment segment;
  private final int version;
  private final long alignment;
  private final long dataOffset;
  private final Map<String, GgufValue> values;
  private final List<TensorInfo> tensors;
  private final Map<String, GgmlType> typesByName;
  private final Map<String, TensorInfo> tensorsByName;
  private final List<Problem> warnings;

  GgufFile(
      ModelFile source,
      MemorySegment segment,
      int version,
      long alignment,
      long dataOffset,
      Map<String, GgufValue> values,
      List<TensorInfo> tensors,
      List<GgmlType> types,
      List<Problem> warnings) {
    this.source = source;
    this.segment = segment;
    this.version = version;
    this.alignment = alignment;
    this.dataOffset = dataOffset;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.tensors = List.copyOf(tensors);
    Map<String, GgmlType> byName = new HashMap<>();
    Map<String, TensorInfo> infoByName = new HashMap<>();
    for (int i = 0; i < tensors.size(); i++) {
      byName.put(tensors.get(i).name(), types.get(i));
      infoByName.put(tensors.get(i).name(), tensors.get(i));
    }
    this.typesByName = Map.copyOf(byName);
    this.tensorsByName = Map.copyOf(infoByName);
    this.warnings = List.copyOf(warnings);
  }

  /** The file read; null only for bytes parsed without a file behind them (tests). */
  @Override
  public ModelFile source() {
    return source;
  }

  @Override
  public WeightFormat format() {
    return WeightFormat.GGUF;
  }

  /** GGUF version, 2 or 3 (identical layouts). */
  public int version() {
    return version;
  }

  /** {@code general.alignment}, or the default 32. */
  public long alignment() {
    return alignment;
  }

  /** Absolute offset where the tensor data section starts. */
  public long dataOffset() {
    return dataOffset;
  }

  /** Every metadata value, typed and complete, in file order. */
  public Map<String, GgufValue> values() {
    return values;
  }

  /** The metadata value stored under {@code key}, e.g. {@code tokenizer.chat_template}. */
  public Optional<GgufValue> value(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** The ggml type {@code tensor} is stored as. */
  public GgmlType ggmlType(TensorInfo tensor) {
    own(tensor);
    return typesByName.get(tensor.name());
  }

  /**
   * Metadata as JSON-ready values in file order: integers as {@link Long} (a {@code uint64} of 2^63
   * or more as {@link java.math.BigInteger}), floats as {@link Double} ({@code float32} through its
   * shortest decimal form, so 0.1f shows as 0.1), bools, strings, and arrays of up to 16 elements
   * as lists; longer arrays as {@code {"type":"array","element_type":"string",
   * "length":N,"head":[first 8]}}. Built on each call.
   */
  @Override
  public Map<String, Object> metadata() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, GgufValue> e : values.entrySet()) {
      out.put(e.getKey(), json(e.getValue()));
    }
    return Collections.unmodifiableMap(out);
  }

  private static Object json(GgufValue v) {
    return switch (v) {
      case GgufValue.Int i -> i.number();
      case GgufValue.Real r ->
          r.type() == GgufValueType.FLOAT32
              ? Double.valueOf(Float.toString((float) r.value()))
              : Double.valueOf(r.value());
      case GgufValue.Bool b -> b.value();
      case GgufValue.Text t -> t.text();
      case GgufValue.Array a -> {
        if (a.length() <= JSON_ARRAY_MAX) {
          List<Object> list = new ArrayList<>();
          for (GgufValue e : a) {
            list.add(json(e));
          }
          yield Collections.unmodifiableList(list);
        }
        List<Object> head = new ArrayList<>();
        for (GgufValue e : a.head(JSON_ARRAY_HEAD)) {
          head.add(json(e));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("type", "array");
        summary.put("element_type", a.elementType().jsonName());
        summary.put("length", a.length());
        summary.put("head", Collections.unmodifiableList(head));
        yield Collections.unmodifiableMap(summary);
      }
    };
  }

  @Override
  public List<TensorInfo> tensors() {
    return tensors;
  }

  @Override
  public List<Problem> warnings() {
    return warnings;
  }

  @Override
  public MemorySegment storedBytes(TensorInfo tensor) {
    own(tensor);
    return segment.asSlice(tensor.offset(), tensor.nbytes());
  }

  /** GGUF data is always stored canonically (see {@link #readCanonical}). */
  @Override
  public boolean storedCanonically(TensorInfo tensor) {
    own(tensor);
    return true;
  }

  /**
   * GGUF data is little-endian and, with the shape reversed from {@code ne}, already in C order;
   * quantized blocks are passed on as stored. So the canonical bytes are the stored bytes.
   */
  @Override
  public void readCanonical(TensorInfo tensor, CanonicalSink sink) throws IOException {
    Objects.requireNonNull(sink, "sink");
    MemorySegment bytes = storedBytes(tensor);
    long n = bytes.byteSize();
    for (long pos = 0; pos < n; pos += CHUNK_BYTES) {
      MemorySegment chunk = bytes.asSlice(pos, Math.min(CHUNK_BYTES, n - pos));
      sink.accept(chunk.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
      MappedPages.release(chunk);
    }
  }

  /** Rejects a tensor that is not one of this file's, so no foreign offset is ever sliced. */
  private void own(TensorInfo tensor) {
    Objects.requireNonNull(tensor, "tensor");
    if (!tensor.equals(tensorsByName.get(tensor.name()))) {
      throw new IllegalArgumentException(
          "tensor '" + FormatException.sanitize(tensor.name()) + "' is not from this file");
    }
  }

  @Override
  public void close() throws IOException {
    if (source != null) {
      source.close();
    }
  }

  @Override
  public String toString() {
    return "GgufFile[v" + version + ", " + values.size() + " kvs, " + tensors.size() + " tensors]";
  }
}
