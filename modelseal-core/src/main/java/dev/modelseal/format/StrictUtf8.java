package dev.modelseal.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Validates UTF-8 in place (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
 * without decoding it, so a large vocabulary is checked without being copied. NUL is reported too:
 * C readers cut strings at the first NUL, so a string with one reads differently in ggml than here.
 */
final class StrictUtf8 {
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;

  private StrictUtf8() {}

  /**
   * The offset of the first byte that starts a NUL or an invalid sequence in {@code [from,
   * from+length)}, or -1 when the range is valid, NUL-free UTF-8.
   */
  static long firstFlaw(MemorySegment s, long from, long length) {
    long i = from;
    long end = from + length;
    while (i < end) {
      // Fast path: eight ASCII bytes, none of them NUL.
      if (end - i >= 8) {
        long v = s.get(GgufCursor.U64, i);
        if ((v & HIGH_BITS) == 0 && ((v - LOW_BITS) & ~v & HIGH_BITS) == 0) {
          i += 8;
          continue;
        }
      }
      int b = s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
      if (b < 0x80) {
        if (b == 0) {
          return i;
        }
        i++;
        continue;
      }
      int len;
      int lo = 0x80;
      int hi = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        len = 2;
      } else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        if (b == 0xe0) {
          lo = 0xa0; // overlong
        } else if (b == 0xed) {
          hi = 0x9f; // surrogates
        }
      } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        if (b == 0xf0) {
          lo = 0x90; // overlong
        } else if (b == 0xf4) {
          hi = 0x8f; // above U+10FFFF
        }
      } else {
        return i;
      }
      if (end - i < len) {
        return i;
      }
      int b1 = s.get(ValueLayout.JAVA_BYTE, i + 1) & 0xff;
      if (b1 < lo || b1 > hi) {
        return i;
      }
      for (int k = 2; k < len; k++) {
        int bk = s.get(ValueLayout.JAVA_BYTE, i + k) & 0xff;
        if (bk < 0x80 || bk > 0xbf) {
          return i;
        }
      }
      i += len;
    }
    return -1;
  }
}
