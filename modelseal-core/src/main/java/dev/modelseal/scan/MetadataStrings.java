package dev.modelseal.scan;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cheap heuristics over free-form metadata strings (safetensors {@code __metadata__} values, GGUF
 * string values other than chat templates): text that looks like code ({@code metadata.code-like},
 * low) or carries a URL ({@code metadata.url}, info). No loader runs these strings; they are worth
 * a look because a tool further down the line might, or might fetch what they point to.
 *
 * <p>Bounded: only the first {@link #MAX_CHARS} characters of a value are examined, one finding of
 * each kind per key, and at most {@link #MAX_FINDINGS} per file (then {@code
 * metadata.findings-truncated}). The patterns are linear (no nested quantifiers).
 */
final class MetadataStrings {
  static final int MAX_CHARS = 1 << 16;
  static final int MAX_FINDINGS = 32;

  /** What code looks like, each with what it is called in the finding. */
  private static final List<Sign> CODE =
      List.of(
          new Sign("__import__", Pattern.compile("__import__")),
          new Sign("exec(", Pattern.compile("(?<![\\w])exec\\s*\\(")),
          new Sign("eval(", Pattern.compile("(?<![\\w])eval\\s*\\(")),
          new Sign("os.system", Pattern.compile("\\bos\\s*\\.\\s*(?:system|popen|exec\\w*)\\b")),
          new Sign("subprocess", Pattern.compile("\\bsubprocess\\b")),
          new Sign("pickle/marshal loads", Pattern.compile("\\b(?:pickle|marshal)\\.loads?\\b")),
          new Sign(
              "Python import",
              Pattern.compile(
                  "(?m)^[ \\t]*(?:import[ \\t]+[A-Za-z_]"
                      + "|from[ \\t]+[A-Za-z_][\\w.]*[ \\t]+import[ \\t])")),
          new Sign("shebang", Pattern.compile("\\A\\s*#!\\s*/")),
          new Sign("<script", Pattern.compile("(?i)<script\\b")));

  private static final Pattern URL =
      Pattern.compile("(?i)\\b(?:https?|ftp|file|s3|gs|hf)://[^\\s\"'<>]{1,200}");

  private record Sign(String name, Pattern pattern) {}

  private final Findings out;
  private final String where;
  private int reported;
  private int suppressed;

  MetadataStrings(Findings out, String where) {
    this.out = out;
    this.where = where;
  }

  /**
   * Examines one value.
   *
   * @param key the metadata key (the finding's location)
   * @param urlExpected true for keys whose purpose is a link ({@code general.url}, ...): no URL
   *     finding for them
   */
  void inspect(String key, String value, boolean urlExpected) {
    String text = value.length() > MAX_CHARS ? value.substring(0, MAX_CHARS) : value;
    String loc = Findings.at(where, "key " + key);
    for (Sign s : CODE) {
      Matcher m = s.pattern().matcher(text);
      if (m.find()) {
        add(
            "metadata.code-like",
            Severity.LOW,
            loc,
            excerpt(text, m.start()),
            "metadata value looks like code ("
                + s.name()
                + "); no loader runs it, but why is it here?");
        break;
      }
    }
    if (!urlExpected) {
      Matcher m = URL.matcher(text);
      if (m.find()) {
        add(
            "metadata.url",
            Severity.INFO,
            loc,
            m.group(),
            "metadata value holds a URL: tools that follow it fetch content that was not scanned");
      }
    }
  }

  /** Adds the truncation note, if findings were left out. */
  void finish() {
    if (suppressed > 0) {
      out.add(
          "metadata.findings-truncated",
          Severity.INFO,
          where,
          suppressed + " more",
          "more metadata findings than the "
              + MAX_FINDINGS
              + " listed; "
              + suppressed
              + " not shown");
    }
  }

  private void add(String rule, Severity severity, String loc, String subject, String message) {
    if (reported < MAX_FINDINGS) {
      out.add(rule, severity, loc, subject, message);
      reported++;
    } else {
      suppressed++;
    }
  }

  private static String excerpt(String text, int at) {
    int from = Math.max(0, at - 20);
    int to = Math.min(text.length(), at + 60);
    return text.substring(from, to);
  }
}
