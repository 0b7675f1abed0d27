package dev.modelseal.format;

import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A weight file whose structure has been fully validated against its format's rules. Tensor data
 * has not been read yet: data-level rules (npz CRC-32, BOOL bytes being 0 or 1) are checked when
 * the data is streamed through {@link #readCanonical}.
 */
public interface WeightFile extends AutoCloseable {
  ModelFile source();

  default Path path() {
    return source().path();
  }

  default long size() {
    return source().size();
  }

  WeightFormat format();

  /**
   * Format metadata as JSON-ready values (String, Long, Double, Boolean, List, Map with insertion
   * order): safetensors {@code __metadata__}; GGUF key/values (long arrays summarised); npy/npz an
   * empty map or per-member details.
   */
  Map<String, Object> metadata();

  /** Every tensor, in file order. */
  List<TensorInfo> tensors();

  /** Non-fatal observations about the file. */
  List<Problem> warnings();

  /**
   * A read-only, bounds-checked view of the tensor's stored bytes. For an npz member this is the
   * member's stored npy payload, deflated if the member is compressed.
   */
  MemorySegment storedBytes(TensorInfo tensor);

  /**
   * Streams the tensor's canonical bytes (C order, little-endian scalars, inflated) to {@code
   * sink}, checking the data-level rules on the way.
   */
  void readCanonical(TensorInfo tensor, CanonicalSink sink) throws IOException, FormatException;

  /**
   * True when the tensor's stored bytes {@code [offset, offset + nbytes)} of {@link #source()} are
   * already its canonical bytes (C order, little-endian scalars, uncompressed) and its only
   * data-level rule is that BOOL bytes are 0 or 1, which whoever streams the bytes must check.
   * Hashing then digests file and tensor from one read of those bytes instead of calling {@link
   * #readCanonical}. Safetensors and GGUF tensors and little-endian C-order npy data qualify; the
   * default (false) is always safe.
   */
  default boolean storedCanonically(TensorInfo tensor) {
    return false;
  }

  /** Closes the underlying {@link ModelFile}. */
  @Override
  void close() throws IOException;
}
