package dev.modelseal.scan;

import dev.modelseal.OneLine;

/** Strings from hostile files end up in one-line reports: escape control characters, cap size. */
final class Text {
  static final int MAX = 300;

  private Text() {}

  static String oneLine(String s) {
    return OneLine.of(s, MAX);
  }
}
