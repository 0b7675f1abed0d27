package dev.modelseal.scan;

import java.util.ArrayList;
import java.util.List;

/** Collects the findings for one file while its parts are scanned. */
final class Findings {
  private final String file;
  private final List<Finding> list = new ArrayList<>();

  Findings(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  void add(String rule, Severity severity, String location, String subject, String message) {
    list.add(new Finding(rule, severity, file, location, subject, message));
  }

  void addAll(List<Finding> more) {
    for (Finding f : more) {
      list.add(f.withFile(file));
    }
  }

  List<Finding> list() {
    return List.copyOf(list);
  }

  int size() {
    return list.size();
  }

  /** Drops findings added after {@code mark} (used when a guess about the content was wrong). */
  void truncate(int mark) {
    while (list.size() > mark) {
      list.remove(list.size() - 1);
    }
  }

  /** Joins a location inside a file: {@code member} then {@code detail}. */
  static String at(String outer, String inner) {
    if (outer == null || outer.isEmpty()) {
      return inner == null ? "" : inner;
    }
    if (inner == null || inner.isEmpty()) {
      return outer;
    }
    return outer + " " + inner;
  }
}
