package dev.modelseal.format;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A safetensors file whose header has been fully validated by {@link SafetensorsReader}: every
 * tensor lies inside the data region, the tensors tile it exactly from its first to its last byte,
 * and each tensor's size matches its dtype and shape. Tensor data has not been read; the one
 * data-level rule (BOOL bytes are 0 or 1) is checked by {@link #readCanonical}.
 */
public final class SafetensorsFile implements WeightFile {
  /** readCanonical hands out at most this much at a time (8 MiB). */
  static final long CHUNK_BYTES = 8L << 20;

  /** Eight BOOL bytes are all 0 or 1 exactly when none has a bit set outside the lowest. */
  private static final long NOT_BOOL_BITS = 0xFEFE_FEFE_FEFE_FEFEL;

  private final ModelFile source;
  private final long headerLength;
  private final Map<String, String> metadata;
  private final List<TensorInfo> tensors;
  private final Map<String, TensorInfo> byName;
  private final List<Problem> warnings;

  SafetensorsFile(
      ModelFile source,
      long headerLength,
      Map<String, String> metadata,
      List<TensorInfo> tensors,
      List<Problem> warnings) {
    this.source = source;
    this.headerLength = headerLength;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensors = List.copyOf(tensors);
    Map<String, TensorInfo> names = HashMap.newHashMap(tensors.size());
    for (TensorInfo t : tensors) {
      names.put(t.name(), t);
    }
    this.byName = names;
    this.warnings = List.copyOf(warnings);
  }

  @Override
  public ModelFile source() {
    return source;
  }

  @Override
  public WeightFormat format() {
    return WeightFormat.SAFETENSORS;
  }

  /** The header's {@code __metadata__} map, in header order; empty if absent or null. */
  @Override
  public Map<String, Object> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  /** {@link #metadata()} with its real type: safetensors metadata is string to string. */
  public Map<String, String> stringMetadata() {
    return metadata;
  }

  /** N, the length of the JSON header in bytes (the file's first eight bytes, little-endian). */
  public long headerLength() {
    return headerLength;
  }

  /** Absolute offset of the data region, {@code 8 + N}; tensor offsets are relative to it. */
  public long dataOffset() {
    return SafetensorsReader.PREFIX_BYTES + headerLength;
  }

  /** Tensors in data (offset) order; zero-size tensors at the same offset keep header order. */
  @Override
  public List<TensorInfo> tensors() {
    return tensors;
  }

  /** The tensor with this name, if the file has one. */
  public Optional<TensorInfo> tensor(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public List<Problem> warnings() {
    return warnings;
  }

  /** A read-only slice of the mapped file holding exactly the tensor's bytes. */
  @Override
  public MemorySegment storedBytes(TensorInfo tensor) {
    requireOwn(tensor);
    return source.segment().asSlice(tensor.offset(), tensor.nbytes());
  }

  /** safetensors data is always little-endian and C order: canonical as stored. */
  @Override
  public boolean storedCanonically(TensorInfo tensor) {
    requireOwn(tensor);
    return true;
  }

  /**
   * Streams the stored bytes, which are already canonical (little-endian, C order), in read-only
   * little-endian chunks of at most 8 MiB. A zero-size tensor produces no chunk.
   *
   * @throws FormatException {@code safetensors.bool-not-0-or-1} naming the first BOOL byte that is
   *     neither 0 nor 1 (that chunk is not handed to the sink)
   */
  @Override
  public void readCanonical(TensorInfo tensor, CanonicalSink sink)
      throws IOException, FormatException {
    MemorySegment data = storedBytes(tensor);
    boolean bool = tensor.dtype().equals(DType.BOOL);
    long size = data.byteSize();
    for (long pos = 0; pos < size; pos += CHUNK_BYTES) {
      MemorySegment chunk = data.asSlice(pos, Math.min(CHUNK_BYTES, size - pos));
      if (bool) {
        checkBool(chunk, tensor, tensor.offset() + pos);
      }
      sink.accept(chunk.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
      MappedPages.release(chunk);
    }
  }

  private void checkBool(MemorySegment chunk, TensorInfo tensor, long chunkOffset)
      throws FormatException {
    long n = chunk.byteSize();
    long i = 0;
    for (; i + Long.BYTES <= n; i += Long.BYTES) {
      if ((chunk.get(ValueLayout.JAVA_LONG_UNALIGNED, i) & NOT_BOOL_BITS) != 0) {
        break;
      }
    }
    for (; i < n; i++) {
      byte b = chunk.get(ValueLayout.JAVA_BYTE, i);
      if (b != 0 && b != 1) {
        throw new FormatException(
            "safetensors.bool-not-0-or-1",
            source.path(),
            chunkOffset + i,
            tensor.name(),
            String.format(Locale.ROOT, "BOOL byte is 0x%02x, not 0 or 1", b & 0xff));
      }
    }
  }

  private void requireOwn(TensorInfo tensor) {
    if (!tensor.equals(byName.get(tensor.name()))) {
      throw new IllegalArgumentException(
          "tensor '" + FormatException.sanitize(tensor.name()) + "' is not from " + path());
    }
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
