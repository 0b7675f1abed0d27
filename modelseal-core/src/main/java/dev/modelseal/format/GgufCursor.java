package dev.modelseal.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads little-endian GGUF fields from a segment, refusing every read that would pass the end of
 * the file with {@code gguf.truncated} before it happens.
 */
final class GgufCursor {
  static final ValueLayout.OfShort U16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt U32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong U64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment segment;
  private final long size;
  private final Path file;
  private long position;

  GgufCursor(MemorySegment segment, Path file) {
    this.segment = segment;
    this.size = segment.byteSize();
    this.file = file;
  }

  MemorySegment segment() {
    return segment;
  }

  Path file() {
    return file;
  }

  long position() {
    return position;
  }

  long size() {
    return size;
  }

  long remaining() {
    return size - position;
  }

  /** Fails unless {@code n} more bytes exist; {@code what} names the field for the message. */
  void need(long n, String what, String location) throws FormatException {
    if (n < 0 || n > remaining()) {
      throw new FormatException(
          "gguf.truncated",
          file,
          position,
          location,
          "file ends inside " + what + " (" + remaining() + " bytes left)");
    }
  }

  int u8(String what, String location) throws FormatException {
    need(1, what, location);
    int v = Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, position));
    position++;
    return v;
  }

  /** An unsigned 32-bit field, widened so it is never negative. */
  long u32(String what, String location) throws FormatException {
    need(4, what, location);
    long v = Integer.toUnsignedLong(segment.get(U32, position));
    position += 4;
    return v;
  }

  /** A 64-bit field as its raw bits: callers decide whether it is signed or unsigned. */
  long u64(String what, String location) throws FormatException {
    need(8, what, location);
    long v = segment.get(U64, position);
    position += 8;
    return v;
  }

  void skip(long n, String what, String location) throws FormatException {
    need(n, what, location);
    position += n;
  }

  FormatException error(String rule, long offset, String location, String detail) {
    return new FormatException(rule, file, offset, location, detail);
  }

  /** Decodes one fixed-size value that the reader has already validated. */
  static GgufValue scalar(GgufValueType type, MemorySegment s, long at) {
    return switch (type) {
      case UINT8 -> new GgufValue.Int(type, Byte.toUnsignedLong(s.get(ValueLayout.JAVA_BYTE, at)));
      case INT8 -> new GgufValue.Int(type, s.get(ValueLayout.JAVA_BYTE, at));
      case UINT16 -> new GgufValue.Int(type, Short.toUnsignedLong(s.get(U16, at)));
      case INT16 -> new GgufValue.Int(type, s.get(U16, at));
      case UINT32 -> new GgufValue.Int(type, Integer.toUnsignedLong(s.get(U32, at)));
      case INT32 -> new GgufValue.Int(type, s.get(U32, at));
      case UINT64, INT64 -> new GgufValue.Int(type, s.get(U64, at));
      case FLOAT32 -> new GgufValue.Real(type, Float.intBitsToFloat(s.get(U32, at)));
      case FLOAT64 -> new GgufValue.Real(type, Double.longBitsToDouble(s.get(U64, at)));
      case BOOL -> new GgufValue.Bool(s.get(ValueLayout.JAVA_BYTE, at) != 0);
      case STRING, ARRAY -> throw new IllegalArgumentException("not a fixed-size type: " + type);
    };
  }
}
