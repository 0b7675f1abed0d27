package dev.modelseal.digest;

import dev.modelseal.format.FormatException;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One tensor's CTD-1 in progress: the preimage header is hashed at creation, the canonical payload
 * is fed in order, and {@link #finish} checks that exactly {@code nbytes} bytes arrived. BOOL bytes
 * are checked to be 0 or 1 on the way, whichever path the bytes take.
 */
final class Ctd1Computation implements AutoCloseable {
  private static final byte[] MAGIC = {'C', 'T', 'D', '-', '1', 0};
  private static final long NOT_BOOL_BITS = 0xFEFE_FEFE_FEFE_FEFEL;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private final Path file;
  private final TensorInfo tensor;
  private final boolean bool;
  private final Sha256 sha;
  private long seen;

  private Ctd1Computation(Path file, TensorInfo tensor, Sha256 sha) {
    this.file = file;
    this.tensor = tensor;
    this.bool = tensor.dtype().equals(DType.BOOL);
    this.sha = sha;
  }

  /**
   * Starts CTD-1 for {@code tensor}, after checking that its declared size matches its dtype and
   * shape.
   *
   * @param file the file the tensor comes from, for messages; may be null
   */
  static Ctd1Computation start(Path file, TensorInfo tensor) throws FormatException {
    byte[] header = preimageHeader(file, tensor);
    Sha256 sha = Sha256.create();
    sha.update(header);
    return new Ctd1Computation(file, tensor, sha);
  }

  /**
   * The CTD-1 preimage up to the payload: {@code "CTD-1" 0x00 tag 0x00 u32le rank u64le dims...
   * u64le nbytes}.
   */
  static byte[] preimageHeader(Path file, TensorInfo tensor) throws FormatException {
    String tag = tensor.dtype().tag();
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new FormatException(
            "ctd1.bad-dtype-tag", file, -1, tensor.name(), "dtype tag is not printable ASCII");
      }
    }
    checkSize(file, tensor);
    int rank = tensor.shape().rank();
    ByteBuffer b =
        ByteBuffer.allocate(MAGIC.length + tag.length() + 1 + 4 + 8 * rank + 8)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put(tag.getBytes(StandardCharsets.US_ASCII)).put((byte) 0).putInt(rank);
    for (int i = 0; i < rank; i++) {
      b.putLong(tensor.shape().dim(i));
    }
    b.putLong(tensor.nbytes());
    return b.array();
  }

  /** {@code nbytes} must be exactly the storage size of the shape's elements in the dtype. */
  private static void checkSize(Path file, TensorInfo tensor) throws FormatException {
    var count = tensor.shape().elementCount();
    if (count.isEmpty()) {
      throw new FormatException(
          "ctd1.size-mismatch", file, -1, tensor.name(), "element count overflows 64 bits");
    }
    long expected;
    try {
      expected = tensor.dtype().byteSize(count.getAsLong());
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new FormatException(
          "ctd1.size-mismatch",
          file,
          -1,
          tensor.name(),
          "shape " + tensor.shape() + " does not fill whole " + tensor.dtype() + " blocks",
          e);
    }
    if (expected != tensor.nbytes()) {
      throw new FormatException(
          "ctd1.size-mismatch",
          file,
          -1,
          tensor.name(),
          "declares "
              + tensor.nbytes()
              + " bytes, but shape "
              + tensor.shape()
              + " of "
              + tensor.dtype()
              + " needs "
              + expected);
    }
  }

  TensorInfo tensor() {
    return tensor;
  }

  /** Feeds the next canonical payload bytes. */
  void update(MemorySegment data) throws FormatException {
    long n = data.byteSize();
    if (n > tensor.nbytes() - seen) {
      throw new FormatException(
          "ctd1.payload-length",
          file,
          -1,
          tensor.name(),
          "canonical payload is longer than the declared " + tensor.nbytes() + " bytes");
    }
    if (bool) {
      checkBool(data);
    }
    sha.update(data);
    seen += n;
  }

  /** BOOL bytes must be 0 or 1 (DIGESTS.md): anything else is malformed, never normalised. */
  private void checkBool(MemorySegment data) throws FormatException {
    long n = data.byteSize();
    long i = 0;
    // Eight bytes at a time while all are clean; the byte loop then names the first bad byte.
    while (i + 8 <= n && (data.get(LONG, i) & NOT_BOOL_BITS) == 0) {
      i += 8;
    }
    for (long j = i; j < n; j++) {
      if ((data.get(ValueLayout.JAVA_BYTE, j) & 0xFE) != 0) {
        throw new FormatException(
            TensorDigests.RULE_BOOL_VALUE,
            file,
            -1,
            tensor.name(),
            "BOOL element at payload byte " + (seen + j) + " is neither 0 nor 1");
      }
    }
  }

  /** Completes CTD-1; fails if fewer than {@code nbytes} payload bytes arrived. */
  Digest finish() throws FormatException {
    if (seen != tensor.nbytes()) {
      throw new FormatException(
          "ctd1.payload-length",
          file,
          -1,
          tensor.name(),
          "canonical payload has " + seen + " bytes, declared " + tensor.nbytes());
    }
    return Digest.of(HashAlgorithm.SHA256, sha.finish());
  }

  @Override
  public void close() {
    sha.close();
  }
}
