package dev.modelseal.format;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;

/**
 * An npy header whose {@code descr} passed the descr rules: the element type, the byte order and
 * the exact number of data bytes that must follow the header.
 *
 * <p>Byte-order decisions (FORMATS.md leaves {@code =} and {@code >V2} to us):
 *
 * <ul>
 *   <li>Single-byte types ({@code b1 u1 i1}) and voids have no byte order; any of {@code < > | =}
 *       is accepted on them, as numpy does, except {@code >V}: MLX byte-swaps {@code >V2} as a
 *       big-endian bfloat16 while numpy keeps the bytes as they are, so the two would load
 *       different values. numpy never writes {@code >} on a void.
 *   <li>Multi-byte numbers must say {@code <} or {@code >}. {@code |} and {@code =} mean "the
 *       reading machine's order", so the same file would hold different values on different
 *       machines; like long doubles, that is refused as platform-dependent. numpy always writes an
 *       explicit order.
 *   <li>{@code <V2} is bfloat16 (MLX, ml_dtypes); {@code |V2}, {@code =V2} and other {@code <V<n>}
 *       stay opaque voids.
 * </ul>
 */
record NpyArray(
    NpyHeader header, DType dtype, boolean bigEndian, long elementCount, long dataBytes) {

  static NpyArray resolve(NpyHeader header, NpyHeader.Where where) throws FormatException {
    String descr = header.descr();
    if (descr.isEmpty() || "<>|=".indexOf(descr.charAt(0)) < 0) {
      throw where.error(
          "npy.descr-byte-order",
          -1,
          "descr '"
              + FormatException.sanitize(descr)
              + "' does not start with a byte order (<, >, | or =)");
    }
    char order = descr.charAt(0);
    String code = descr.substring(1);
    char kind = code.isEmpty() ? ' ' : code.charAt(0);
    switch (kind) {
      case 'O' ->
          throw where.error(
              "npy.descr-object",
              -1,
              "object array: its data is a pickle, which is never read (scan it instead)");
      case 'S', 'U', 'a' ->
          throw where.error(
              "npy.descr-string", -1, "string dtype '" + safe(descr) + "' is not a tensor dtype");
      case 'M', 'm' ->
          throw where.error(
              "npy.descr-datetime",
              -1,
              "datetime dtype '" + safe(descr) + "' is not a tensor dtype");
      default -> {}
    }
    int size = itemSize(code.substring(Math.min(1, code.length())));
    DType dtype = size < 0 ? null : dtypeOf(kind, size, order);
    if (dtype == null) {
      if ((kind == 'f' && (size == 16 || size == 12))
          || (kind == 'c' && (size == 32 || size == 24))) {
        throw where.error(
            "npy.descr-long-double",
            -1,
            "descr '" + safe(descr) + "' is a platform-dependent long double");
      }
      throw where.error(
          "npy.descr-unsupported",
          -1,
          "descr '" + safe(descr) + "' is not one of b1, u1-u8, i1-i8, f2 f4 f8, c8 c16, V<n>");
    }
    if (kind == 'V' && order == '>') {
      throw where.error(
          "npy.descr-big-endian-void",
          -1,
          "descr '"
              + safe(descr)
              + "': a void has no byte order, and MLX would byte-swap it where numpy does not");
    }
    boolean multiByte = dtype.scalarBytes() > 1;
    if (multiByte && (order == '|' || order == '=')) {
      throw where.error(
          "npy.descr-byte-order",
          -1,
          "descr '"
              + safe(descr)
              + "' leaves the byte order of a multi-byte type to the reading machine");
    }
    long count = header.shape().elementCount().orElse(-1);
    long bytes;
    try {
      if (count < 0) {
        throw new ArithmeticException();
      }
      bytes = dtype.byteSize(count);
      Math.addExact(header.dataOffset(), bytes);
    } catch (ArithmeticException e) {
      throw where.error(
          "npy.shape-overflow", -1, "shape " + header.shape() + " × itemsize overflows 64 bits");
    }
    return new NpyArray(header, dtype, order == '>', count, bytes);
  }

  private static String safe(String descr) {
    return FormatException.sanitize(descr);
  }

  /** Decimal item size without sign or leading zeros, or -1. */
  private static int itemSize(String digits) {
    if (digits.isEmpty() || digits.length() > 9 || digits.charAt(0) == '0') {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
    }
    return Integer.parseInt(digits);
  }

  private static DType dtypeOf(char kind, int size, char order) {
    return switch (kind) {
      case 'b' -> size == 1 ? DType.BOOL : null;
      case 'u' ->
          switch (size) {
            case 1 -> DType.U8;
            case 2 -> DType.U16;
            case 4 -> DType.U32;
            case 8 -> DType.U64;
            default -> null;
          };
      case 'i' ->
          switch (size) {
            case 1 -> DType.I8;
            case 2 -> DType.I16;
            case 4 -> DType.I32;
            case 8 -> DType.I64;
            default -> null;
          };
      case 'f' ->
          switch (size) {
            case 2 -> DType.F16;
            case 4 -> DType.F32;
            case 8 -> DType.F64;
            default -> null;
          };
      case 'c' ->
          switch (size) {
            case 8 -> DType.C64;
            case 16 -> DType.C128;
            default -> null;
          };
      case 'V' -> size == 2 && order == '<' ? DType.BF16 : DType.opaque(size);
      default -> null;
    };
  }

  Shape shape() {
    return header.shape();
  }

  /** Big-endian data of a type with a byte order: every scalar is swapped when canonicalised. */
  boolean swaps() {
    return bigEndian && dtype.scalarBytes() > 1;
  }

  /**
   * Fortran-order data only differs from C order when at least two dimensions exceed 1 (MLX marks
   * every 1-D array Fortran, harmlessly).
   */
  boolean permutes() {
    if (!header.fortranOrder()) {
      return false;
    }
    int big = 0;
    for (long d : header.shape().toArray()) {
      if (d > 1) {
        big++;
      }
    }
    return big >= 2;
  }

  /** Header plus data: the exact size of a well-formed npy file holding this array. */
  long totalBytes() {
    return header.dataOffset() + dataBytes;
  }

  /** Bytes per element. */
  int itemBytes() {
    return dtype.blockBytes();
  }
}
