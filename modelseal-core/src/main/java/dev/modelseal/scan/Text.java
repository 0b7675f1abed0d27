package dev.modelseal.scan;

import java.util.Locale;

/** Strings from hostile files end up in one-line reports: escape control characters, cap size. */
final class Text {
  static final int MAX = 300;

  private Text() {}

  static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX + 3));
    for (int i = 0; i < s.length(); i++) {
      if (sb.length() >= MAX) {
        sb.append("...");
        break;
      }
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1)))
          && !(Character.isLowSurrogate(c)
              && i > 0
              && Character.isHighSurrogate(s.charAt(i - 1)))) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
