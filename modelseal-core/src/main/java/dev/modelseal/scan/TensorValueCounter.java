package dev.modelseal.scan;

import dev.modelseal.format.CanonicalSink;
import dev.modelseal.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Counts NaN and infinite values in a tensor's canonical bytes and notices whether every value is
 * zero: a cheap "was this model sabotaged" signal (SCANNING.md). Floating-point types (F16, BF16,
 * F32, F64, and C64/C128 as pairs of F32/F64) are decoded scalar by scalar from their bit patterns,
 * so a value is zero when only its sign bit may be set; every other type (integers, BOOL, F8, sub-
 * byte, opaque and quantized blocks) is only checked for all-zero bytes.
 *
 * <p>The work is a tight loop over bulk little-endian reads of each chunk: an OR to spot any
 * non-zero value and a branch-free count of all-ones exponents; NaN and infinity are told apart in
 * a second pass only over a chunk that has any. Chunks may split a scalar: the split bytes are
 * carried over to the next chunk.
 */
final class TensorValueCounter implements CanonicalSink {
  /** Chunks are walked in slices of this many bytes, so loop counters stay ints. */
  private static final int SLICE = 1 << 24;

  private static final ValueLayout.OfShort U16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt U32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong U64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** How the scalars are read. */
  enum Decoding {
    F16(2),
    BF16(2),
    F32(4),
    F64(8),
    /** Not decoded: only all-zero bytes are noticed. */
    BYTES(1);

    private final int width;

    Decoding(int width) {
      this.width = width;
    }

    static Decoding of(DType dtype) {
      if (dtype.equals(DType.F32) || dtype.equals(DType.C64)) {
        return F32;
      }
      if (dtype.equals(DType.F64) || dtype.equals(DType.C128)) {
        return F64;
      }
      if (dtype.equals(DType.F16)) {
        return F16;
      }
      if (dtype.equals(DType.BF16)) {
        return BF16;
      }
      return BYTES;
    }
  }

  private final Decoding decoding;
  private final byte[] carry = new byte[8];
  private int carried;
  private long nan;
  private long inf;
  private long bytes;
  private boolean nonZero;

  TensorValueCounter(DType dtype) {
    this.decoding = Decoding.of(dtype);
  }

  Decoding decoding() {
    return decoding;
  }

  long nan() {
    return nan;
  }

  long infinite() {
    return inf;
  }

  /** True when some bytes were seen and every value among them is zero. */
  boolean allZero() {
    return bytes > 0 && !nonZero;
  }

  /** Scalars seen (bytes for {@link Decoding#BYTES}). */
  long scalars() {
    return bytes / decoding.width;
  }

  @Override
  public void accept(ByteBuffer chunk) {
    MemorySegment s = MemorySegment.ofBuffer(chunk);
    long n = s.byteSize();
    bytes += n;
    long off = 0;
    int width = decoding.width;
    if (carried > 0) {
      int take = (int) Math.min(width - carried, n);
      MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, carry, carried, take);
      carried += take;
      off = take;
      if (carried < width) {
        return;
      }
      count(MemorySegment.ofArray(carry).asSlice(0, width));
      carried = 0;
    }
    long whole = (n - off) / width * width;
    for (long p = 0; p < whole; p += SLICE) {
      count(s.asSlice(off + p, Math.min(SLICE, whole - p)));
    }
    int rest = (int) (n - off - whole);
    if (rest > 0) {
      MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off + whole, carry, 0, rest);
      carried = rest;
    }
  }

  /** Counts a slice holding whole scalars, at most {@link #SLICE} bytes. */
  private void count(MemorySegment s) {
    switch (decoding) {
      case F16 -> halves(s, 0x7c00, 0x03ff);
      case BF16 -> halves(s, 0x7f80, 0x007f);
      case F32 -> singles(s);
      case F64 -> doubles(s);
      case BYTES -> anyByte(s);
    }
  }

  private void halves(MemorySegment s, int exponent, int mantissa) {
    int n = (int) (s.byteSize() >>> 1);
    int or = 0;
    int special = 0;
    for (int i = 0; i < n; i++) {
      int v = s.get(U16, (long) i << 1);
      or |= v;
      special += (v & exponent) == exponent ? 1 : 0;
    }
    nonZero |= (or & 0x7fff) != 0;
    if (special > 0) {
      for (int i = 0; i < n; i++) {
        int v = s.get(U16, (long) i << 1);
        if ((v & exponent) == exponent) {
          if ((v & mantissa) != 0) {
            nan++;
          } else {
            inf++;
          }
        }
      }
    }
  }

  private void singles(MemorySegment s) {
    int n = (int) (s.byteSize() >>> 2);
    int or = 0;
    int special = 0;
    for (int i = 0; i < n; i++) {
      int v = s.get(U32, (long) i << 2);
      or |= v;
      special += (v & 0x7f800000) == 0x7f800000 ? 1 : 0;
    }
    nonZero |= (or & 0x7fffffff) != 0;
    if (special > 0) {
      for (int i = 0; i < n; i++) {
        int v = s.get(U32, (long) i << 2);
        if ((v & 0x7f800000) == 0x7f800000) {
          if ((v & 0x007fffff) != 0) {
            nan++;
          } else {
            inf++;
          }
        }
      }
    }
  }

  private void doubles(MemorySegment s) {
    final long exponent = 0x7ff0000000000000L;
    int n = (int) (s.byteSize() >>> 3);
    long or = 0;
    int special = 0;
    for (int i = 0; i < n; i++) {
      long v = s.get(U64, (long) i << 3);
      or |= v;
      special += (v & exponent) == exponent ? 1 : 0;
    }
    nonZero |= (or & Long.MAX_VALUE) != 0;
    if (special > 0) {
      for (int i = 0; i < n; i++) {
        long v = s.get(U64, (long) i << 3);
        if ((v & exponent) == exponent) {
          if ((v & 0x000fffffffffffffL) != 0) {
            nan++;
          } else {
            inf++;
          }
        }
      }
    }
  }

  private void anyByte(MemorySegment s) {
    if (nonZero) {
      return; // nothing left to learn from opaque bytes
    }
    long n = s.byteSize();
    int words = (int) (n >>> 3);
    long or = 0;
    for (int i = 0; i < words; i++) {
      or |= s.get(U64, (long) i << 3);
    }
    for (long i = (long) words << 3; i < n; i++) {
      or |= s.get(ValueLayout.JAVA_BYTE, i);
    }
    nonZero = or != 0;
  }
}
