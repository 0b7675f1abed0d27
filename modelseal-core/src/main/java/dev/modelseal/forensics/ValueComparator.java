package dev.modelseal.forensics;

import dev.modelseal.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.OptionalDouble;

/**
 * Compares two tensors' canonical bytes element by element. Elements are compared bit-exactly (a
 * NaN with the same bits is unchanged, -0 and +0 differ); magnitudes are decoded for the float and
 * integer types; everything else (quantized blocks, 8-bit and sub-byte floats, opaque voids) is
 * compared per storage block.
 */
final class ValueComparator {
  private static final ValueLayout.OfFloat F32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble F64 =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private ValueComparator() {}

  /** Both segments hold canonical bytes of the same dtype and shape. */
  static ValueStats compare(DType dtype, MemorySegment a, MemorySegment b) {
    Decoder d = decoder(dtype);
    if (d == null) {
      return compareBlocks(dtype.blockBytes(), a, b);
    }
    int width = dtype.blockBytes();
    int parts = dtype.tag().startsWith("C") ? 2 : 1;
    int partWidth = width / parts;
    long n = a.byteSize() / width;
    long changed = 0;
    long nan = 0;
    long inf = 0;
    double maxAbs = 0;
    boolean sawFinitePair = false;
    double sumSqDiff = 0;
    double sumSqA = 0;
    long first = MemorySegment.mismatch(a, 0, a.byteSize(), b, 0, b.byteSize());
    for (long i = 0; i < n; i++) {
      long off = i * width;
      boolean differs = first >= 0 && off + width > first && !sameBits(a, b, off, width);
      double sqDiff = 0;
      boolean finite = true;
      boolean bNan = false;
      boolean aNan = false;
      boolean bInf = false;
      boolean aInf = false;
      for (int p = 0; p < parts; p++) {
        double x = d.decode(a, off + (long) p * partWidth);
        double y = differs ? d.decode(b, off + (long) p * partWidth) : x;
        aNan |= Double.isNaN(x);
        bNan |= Double.isNaN(y);
        aInf |= Double.isInfinite(x);
        bInf |= Double.isInfinite(y);
        if (Double.isFinite(x) && Double.isFinite(y)) {
          sqDiff += (y - x) * (y - x);
          sumSqA += x * x;
        } else {
          finite = false;
        }
      }
      if (differs) {
        changed++;
        if (bNan && !aNan) {
          nan++;
        }
        if (bInf && !aInf) {
          inf++;
        }
      }
      if (finite) {
        sawFinitePair = true;
        sumSqDiff += sqDiff;
        maxAbs = Math.max(maxAbs, Math.sqrt(sqDiff));
      }
    }
    OptionalDouble max = sawFinitePair ? OptionalDouble.of(maxAbs) : OptionalDouble.empty();
    OptionalDouble rel =
        sumSqA > 0
            ? OptionalDouble.of(Math.sqrt(sumSqDiff) / Math.sqrt(sumSqA))
            : OptionalDouble.empty();
    return new ValueStats(n, changed, max, rel, nan, inf, true);
  }

  private static boolean sameBits(MemorySegment a, MemorySegment b, long off, int width) {
    return MemorySegment.mismatch(a, off, off + width, b, off, off + width) < 0;
  }

  private static ValueStats compareBlocks(int width, MemorySegment a, MemorySegment b) {
    long n = a.byteSize() / width;
    long changed = 0;
    long first = MemorySegment.mismatch(a, 0, a.byteSize(), b, 0, b.byteSize());
    if (first >= 0) {
      for (long i = first / width; i < n; i++) {
        if (!sameBits(a, b, i * width, width)) {
          changed++;
        }
      }
    }
    return new ValueStats(n, changed, OptionalDouble.empty(), OptionalDouble.empty(), 0, 0, false);
  }

  @FunctionalInterface
  private interface Decoder {
    double decode(MemorySegment s, long offset);
  }

  private static Decoder decoder(DType t) {
    return switch (t.tag()) {
      case "F32", "C64" -> (s, o) -> s.get(F32, o);
      case "F64", "C128" -> (s, o) -> s.get(F64, o);
      case "F16" -> (s, o) -> Float.float16ToFloat(s.get(I16, o));
      case "BF16" -> (s, o) -> Float.intBitsToFloat(Short.toUnsignedInt(s.get(I16, o)) << 16);
      case "BOOL", "U8" -> (s, o) -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, o));
      case "I8" -> (s, o) -> s.get(ValueLayout.JAVA_BYTE, o);
      case "I16" -> (s, o) -> s.get(I16, o);
      case "U16" -> (s, o) -> Short.toUnsignedInt(s.get(I16, o));
      case "I32" -> (s, o) -> s.get(I32, o);
      case "U32" -> (s, o) -> Integer.toUnsignedLong(s.get(I32, o));
      case "I64" -> (s, o) -> s.get(I64, o);
      case "U64" -> (s, o) -> unsignedToDouble(s.get(I64, o));
      default -> null;
    };
  }

  private static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }
}
