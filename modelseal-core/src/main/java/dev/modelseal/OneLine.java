package dev.modelseal;

import java.util.Locale;

/**
 * The one way text from hostile files (names, keys, values) is put into messages and reports: on
 * one line, with nothing a terminal would act on. Control characters (C0, DEL, C1), the Unicode
 * line and paragraph separators and unpaired surrogates are escaped as {@code \xNN} or {@code
 * \\uNNNN}; everything else, including non-Latin text, is kept.
 */
public final class OneLine {
  private OneLine() {}

  /** {@code s} escaped, whatever its length (names that must be shown whole, such as paths). */
  public static String of(String s) {
    return of(s, Integer.MAX_VALUE);
  }

  /**
   * {@code s} escaped and cut after about {@code max} characters of output, marked with {@code
   * ...}, so a megabyte-long key cannot flood a message.
   */
  public static String of(String s, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive");
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 3);
    for (int i = 0; i < s.length(); i++) {
      if (sb.length() >= max) {
        sb.append("...");
        break;
      }
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else if (c == 0x2028 || c == 0x2029 || unpaired(s, i)) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean unpaired(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }
}
