package dev.modelseal.scan;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Bytes to scan: a whole file, or a member of an archive.
 *
 * @param name file or member name (its last segment decides name-based rules)
 * @param data the bytes, read-only
 * @param where location prefix for findings: empty for a file, the member path for a member
 * @param depth archive nesting depth (0 for a file)
 * @param container what holds this content ({@code ""} for a file, {@code "keras"} for a Keras
 *     archive member, ...)
 */
record Content(String name, MemorySegment data, String where, int depth, String container) {
  /** Last path segment, lower-case. */
  String baseName() {
    String n = name.replace('\\', '/');
    int slash = n.lastIndexOf('/');
    return (slash >= 0 ? n.substring(slash + 1) : n).toLowerCase(Locale.ROOT);
  }

  /** Extension without the dot, lower-case; empty when there is none. */
  String extension() {
    String b = baseName();
    int dot = b.lastIndexOf('.');
    return dot > 0 ? b.substring(dot + 1) : "";
  }

  long size() {
    return data.byteSize();
  }

  int byteAt(long i) {
    return i < data.byteSize() ? data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xff : -1;
  }

  boolean startsWith(byte[] magic) {
    if (data.byteSize() < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (byteAt(i) != (magic[i] & 0xff)) {
        return false;
      }
    }
    return true;
  }
}
