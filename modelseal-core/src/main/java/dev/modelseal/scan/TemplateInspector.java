package dev.modelseal.scan;

import dev.modelseal.format.ParseLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Looks for server-side template injection in Jinja chat templates (CVE-2024-34359: a GGUF chat
 * template rendered outside a sandbox ran shell commands). Nothing is rendered: the template's code
 * regions ({@code {{ }}} and {@code {% %}}) are tokenised, string literals are unescaped ({@code
 * \x5f} is {@code _}) and joined where the template would join them ({@code ~}, {@code +},
 * adjacency, {@code |join}, {@code |reverse}, {@code |lower}), and the result is checked for dunder
 * access in any spelling, the {@code attr} filter, the globals that reach Python ({@code lipsum},
 * {@code cycler}, {@code joiner}, {@code namespace} used as an object), and names such as {@code
 * os} and {@code popen}. Ordinary chat templates (Llama 3, ChatML, Mistral, Qwen) use none of
 * these.
 */
public final class TemplateInspector {
  /** Attribute or item names that only an escape to Python needs. */
  private static final Set<String> ESCAPE_NAMES =
      Set.of(
          "os",
          "popen",
          "system",
          "subprocess",
          "eval",
          "exec",
          "import_module",
          "getattr",
          "setattr",
          "globals",
          "builtins",
          "mro",
          "func_globals",
          "f_globals",
          "gi_frame",
          "gi_code",
          "co_code",
          "check_output",
          "Popen",
          "spawnv",
          "execv",
          "load_module",
          "modules");

  /** Template globals that reach Python objects (and their {@code __globals__}). */
  private static final Set<String> PYTHON_GLOBALS =
      Set.of(
          "lipsum",
          "cycler",
          "joiner",
          "self",
          "config",
          "request",
          "url_for",
          "get_flashed_messages");

  private static final Set<String> STRING_FILTERS =
      Set.of("reverse", "lower", "upper", "trim", "string", "capitalize", "title");

  /** Findings kept per template. */
  static final int MAX_FINDINGS = 1_000;

  private TemplateInspector() {}

  /**
   * Inspects a template with the default limits.
   *
   * @param template the template source
   * @param location where the template came from inside its file (a JSON key, a GGUF key); used as
   *     the findings' location prefix
   * @return findings with an empty file name: attribute them with {@link Finding#withFile}
   */
  public static List<Finding> inspect(String template, String location) {
    return inspect(template, location, ParseLimits.defaults());
  }

  /** As {@link #inspect(String, String)}, with the size cap from {@code limits}. */
  public static List<Finding> inspect(String template, String location, ParseLimits limits) {
    Sink sink = new Sink(location);
    long bytes = utf8Length(template);
    if (bytes > limits.maxTextBytes()) {
      sink.add(
          "template.too-large",
          Severity.HIGH,
          0,
          bytes + " bytes",
          "template larger than " + limits.maxTextBytes() + " bytes: not scanned");
      return sink.list;
    }
    for (Region r : regions(template)) {
      inspectCode(r, sink);
    }
    return sink.list;
  }

  /** Findings whose rule means the template could not be scanned. */
  static boolean notScanned(Finding f) {
    return f.rule().equals("template.too-large");
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }

  private static final class Sink {
    final String location;
    final List<Finding> list = new ArrayList<>();
    final Set<String> seen = new HashSet<>();

    Sink(String location) {
      this.location = location;
    }

    void add(String rule, Severity sev, int at, String subject, String message) {
      if (list.size() >= MAX_FINDINGS) {
        return; // a template this hostile is reported already; keep the report bounded
      }
      if (seen.add(rule + '\0' + subject)) {
        list.add(new Finding(rule, sev, "", Findings.at(location, "char " + at), subject, message));
      }
    }
  }

  /** A code region: the text between the delimiters, and whether it is a statement. */
  private record Region(String code, int start, boolean statement) {}

  private static List<Region> regions(String t) {
    List<Region> out = new ArrayList<>();
    int i = 0;
    int n = t.length();
    while (i < n - 1) {
      int open = t.indexOf('{', i);
      if (open < 0 || open >= n - 1) {
        break;
      }
      char k = t.charAt(open + 1);
      if (k == '#') {
        int end = t.indexOf("#}", open + 2);
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (k != '{' && k != '%') {
        i = open + 1;
        continue;
      }
      String close = k == '{' ? "}}" : "%}";
      int end = endOfCode(t, open + 2, close);
      String code = t.substring(open + 2, end);
      out.add(new Region(code, open + 2, k == '%'));
      i = Math.min(n, end + 2);
      if (k == '%' && firstWord(code).equals("raw")) {
        // Everything up to endraw is literal output.
        int endraw = findEndRaw(t, i);
        i = endraw < 0 ? n : endraw;
      }
    }
    return out;
  }

  private static int findEndRaw(String t, int from) {
    int i = from;
    while (true) {
      int open = t.indexOf("{%", i);
      if (open < 0) {
        return -1;
      }
      int end = endOfCode(t, open + 2, "%}");
      if (firstWord(t.substring(open + 2, end)).equals("endraw")) {
        return open;
      }
      i = open + 2;
    }
  }

  private static String firstWord(String code) {
    String s = code.strip();
    if (s.startsWith("-") || s.startsWith("+")) {
      s = s.substring(1).strip();
    }
    int e = 0;
    while (e < s.length() && Character.isLetterOrDigit(s.charAt(e))) {
      e++;
    }
    return s.substring(0, e);
  }

  /** End of a code region, skipping string literals (a quoted "}}" does not close it). */
  private static int endOfCode(String t, int from, String close) {
    int i = from;
    while (i < t.length()) {
      char c = t.charAt(i);
      if (c == '\'' || c == '"') {
        i = endOfString(t, i) + 1;
        continue;
      }
      if (t.startsWith(close, i)) {
        return i;
      }
      i++;
    }
    return t.length();
  }

  private static int endOfString(String t, int quoteAt) {
    char q = t.charAt(quoteAt);
    int i = quoteAt + 1;
    while (i < t.length()) {
      char c = t.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == q) {
        return i;
      }
      i++;
    }
    return t.length();
  }

  // ---- tokens ---------------------------------------------------------------------------------

  private enum Kind {
    STR,
    IDENT,
    NUM,
    OP
  }

  private record Token(Kind kind, String text, int at) {
    boolean is(String op) {
      return kind == Kind.OP && text.equals(op);
    }

    boolean ident(String s) {
      return kind == Kind.IDENT && text.equals(s);
    }
  }

  private static void inspectCode(Region r, Sink sink) {
    List<Token> tokens = tokenize(r, sink);
    if (r.statement() && !tokens.isEmpty()) {
      String w = tokens.getFirst().kind() == Kind.IDENT ? tokens.getFirst().text() : "";
      if (w.equals("include") || w.equals("import") || w.equals("from") || w.equals("extends")) {
        sink.add(
            "template.loads-template",
            Severity.MEDIUM,
            tokens.getFirst().at(),
            w,
            "template loads another template from the renderer's loader");
      }
    }
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      Token prev = i > 0 ? tokens.get(i - 1) : null;
      Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
      switch (t.kind()) {
        case IDENT -> {
          if (t.text().contains("__")) {
            dunder(sink, t.at(), t.text());
          }
          boolean attribute = prev != null && prev.is(".");
          if (attribute && ESCAPE_NAMES.contains(t.text())) {
            escapeName(sink, t.at(), t.text());
          }
          if (!attribute && PYTHON_GLOBALS.contains(t.text())) {
            sink.add(
                "template.python-global",
                Severity.HIGH,
                t.at(),
                t.text(),
                "template uses '" + t.text() + "', a global that leads to Python objects");
          }
          if (!attribute && t.text().equals("namespace") && (next == null || !next.is("("))) {
            sink.add(
                "template.python-global",
                Severity.HIGH,
                t.at(),
                "namespace",
                "namespace used as an object rather than called: a path to Python globals");
          }
          if (prev != null && prev.is("|") && t.text().equals("attr")) {
            sink.add(
                "template.attr-filter",
                Severity.HIGH,
                t.at(),
                "|attr",
                "the attr filter reaches attributes by computed name (the usual dunder bypass)");
          }
          if (prev != null && prev.is("|") && t.text().equals("string")) {
            // (()|select|string)[24] picks single characters out of an object's repr.
            int k = i + 1;
            while (k < tokens.size() && tokens.get(k).is(")")) {
              k++;
            }
            if (k < tokens.size()
                && (tokens.get(k).is("[")
                    || (tokens.get(k).is("|")
                        && k + 1 < tokens.size()
                        && tokens.get(k + 1).ident("list")))) {
              charConstruction(sink, t.at(), "|string then indexing");
            }
          }
        }
        case STR -> {
          int end = joinedEnd(tokens, i);
          String joined = joined(tokens, i, end);
          checkString(sink, t.at(), joined, prev, end < tokens.size() ? tokens.get(end) : null);
          if (!joined.equals(t.text())) {
            checkString(sink, t.at(), t.text(), prev, next);
          }
          if (t.text().contains("%c")
              && ((next != null && next.is("%"))
                  || (next != null
                      && (next.is("|") || next.is("."))
                      && i + 2 < tokens.size()
                      && tokens.get(i + 2).ident("format")))) {
            charConstruction(sink, t.at(), "%c formatting");
          }
          i = Math.max(i, end - 1);
        }
        case OP -> {
          if ((t.is("[") || t.is("(")) && next != null && next.kind() == Kind.STR) {
            String list = listJoin(tokens, i);
            if (list != null) {
              checkString(sink, t.at(), list, null, null);
            }
          }
        }
        case NUM -> {}
      }
    }
  }

  /** Index after a run of string literals joined by {@code ~}, {@code +} or adjacency. */
  private static int joinedEnd(List<Token> tokens, int i) {
    int j = i + 1;
    while (j < tokens.size()) {
      Token t = tokens.get(j);
      if (t.kind() == Kind.STR) {
        j++;
      } else if ((t.is("~") || t.is("+"))
          && j + 1 < tokens.size()
          && tokens.get(j + 1).kind() == Kind.STR) {
        j += 2;
      } else {
        break;
      }
    }
    return j;
  }

  private static String joined(List<Token> tokens, int from, int end) {
    StringBuilder sb = new StringBuilder();
    for (int k = from; k < end; k++) {
      if (tokens.get(k).kind() == Kind.STR) {
        sb.append(tokens.get(k).text());
      }
    }
    return filtered(tokens, end, sb.toString());
  }

  /** Applies the string filters that follow index {@code j} ({@code |reverse|lower} ...). */
  private static String filtered(List<Token> tokens, int j, String s) {
    while (j + 1 < tokens.size()
        && tokens.get(j).is("|")
        && tokens.get(j + 1).kind() == Kind.IDENT
        && STRING_FILTERS.contains(tokens.get(j + 1).text())) {
      s = applyFilter(tokens.get(j + 1).text(), s);
      j += 2;
    }
    return s;
  }

  private static String applyFilter(String filter, String s) {
    return switch (filter) {
      case "reverse" -> new StringBuilder(s).reverse().toString();
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "trim" -> s.strip();
      default -> s;
    };
  }

  /** {@code ['__cla','ss__']|join} (also with parentheses): the joined string, else null. */
  private static String listJoin(List<Token> tokens, int open) {
    String close = tokens.get(open).is("[") ? "]" : ")";
    StringBuilder sb = new StringBuilder();
    int j = open + 1;
    while (j < tokens.size() && tokens.get(j).kind() == Kind.STR) {
      sb.append(tokens.get(j).text());
      j++;
      if (j < tokens.size() && tokens.get(j).is(",")) {
        j++;
      }
    }
    if (j + 2 < tokens.size()
        && tokens.get(j).is(close)
        && tokens.get(j + 1).is("|")
        && tokens.get(j + 2).ident("join")) {
      return filtered(tokens, j + 3, sb.toString());
    }
    return null;
  }

  private static void checkString(Sink sink, int at, String s, Token prev, Token after) {
    if (s.contains("__")) {
      dunder(sink, at, s);
    }
    String trimmed = s.strip();
    boolean subscript = prev != null && prev.is("[") && after != null && after.is("]");
    boolean attrArg = prev != null && prev.is("(");
    if ((subscript || attrArg) && ESCAPE_NAMES.contains(trimmed)) {
      escapeName(sink, at, trimmed);
    }
  }

  private static void dunder(Sink sink, int at, String s) {
    sink.add(
        "template.ssti",
        Severity.CRITICAL,
        at,
        s,
        "dunder access in a template ('" + s + "'): the path to Python internals (SSTI)");
  }

  private static void escapeName(Sink sink, int at, String s) {
    sink.add(
        "template.ssti",
        Severity.CRITICAL,
        at,
        s,
        "template reaches '" + s + "', which only an escape to Python needs (SSTI)");
  }

  private static void charConstruction(Sink sink, int at, String how) {
    sink.add(
        "template.char-construction",
        Severity.HIGH,
        at,
        how,
        "template builds strings character by character (" + how + "), hiding what it accesses");
  }

  private static List<Token> tokenize(Region r, Sink sink) {
    String c = r.code();
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < c.length()) {
      char ch = c.charAt(i);
      int at = r.start() + i;
      if (Character.isWhitespace(ch)) {
        i++;
      } else if (ch == '\'' || ch == '"') {
        int end = Math.min(endOfString(c, i), c.length());
        String raw = c.substring(i + 1, end);
        out.add(new Token(Kind.STR, unescape(raw, sink, at), at));
        i = end + 1;
      } else if (Character.isLetter(ch) || ch == '_') {
        int e = i;
        while (e < c.length() && (Character.isLetterOrDigit(c.charAt(e)) || c.charAt(e) == '_')) {
          e++;
        }
        out.add(new Token(Kind.IDENT, c.substring(i, e), at));
        i = e;
      } else if (Character.isDigit(ch)) {
        int e = i;
        while (e < c.length() && (Character.isLetterOrDigit(c.charAt(e)) || c.charAt(e) == '.')) {
          e++;
        }
        out.add(new Token(Kind.NUM, c.substring(i, e), at));
        i = e;
      } else {
        out.add(new Token(Kind.OP, String.valueOf(ch), at));
        i++;
      }
    }
    return out;
  }

  /**
   * Jinja string literals are unescaped like Python's (unicode-escape). An escape that spells a
   * letter, digit, underscore or dot is obfuscation: ordinary templates escape only newlines, tabs
   * and quotes.
   */
  private static String unescape(String raw, Sink sink, int at) {
    StringBuilder sb = new StringBuilder(raw.length());
    boolean obfuscated = false;
    int i = 0;
    while (i < raw.length()) {
      char ch = raw.charAt(i);
      if (ch != '\\' || i + 1 >= raw.length()) {
        sb.append(ch);
        i++;
        continue;
      }
      char e = raw.charAt(i + 1);
      int cp = -1;
      int len = 2;
      switch (e) {
        case 'n' -> cp = '\n';
        case 't' -> cp = '\t';
        case 'r' -> cp = '\r';
        case 'a' -> cp = 7;
        case 'b' -> cp = 8;
        case 'f' -> cp = 12;
        case 'v' -> cp = 11;
        case '\\', '\'', '"' -> cp = e;
        case '\n' -> cp = -2;
        case 'x', 'u', 'U' -> {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          cp = hex(raw, i + 2, digits);
          len = 2 + digits;
        }
        case 'N' -> {
          int close = raw.indexOf('}', i);
          if (i + 2 < raw.length() && raw.charAt(i + 2) == '{' && close > 0) {
            try {
              cp = Character.codePointOf(raw.substring(i + 3, close));
            } catch (IllegalArgumentException ex) {
              cp = -1;
            }
            len = close - i + 1;
            obfuscated = true;
          }
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = 0;
            int k = i + 1;
            while (k < raw.length() && k < i + 4 && raw.charAt(k) >= '0' && raw.charAt(k) <= '7') {
              v = v * 8 + (raw.charAt(k) - '0');
              k++;
            }
            cp = v;
            len = k - i;
          }
        }
      }
      if (cp == -2) {
        i += 2;
      } else if (cp < 0 || !Character.isValidCodePoint(cp)) {
        sb.append(ch);
        i++;
      } else {
        if (e != '\\'
            && e != '\''
            && e != '"'
            && (Character.isLetterOrDigit(cp) || cp == '_' || cp == '.')) {
          obfuscated = true;
        }
        sb.appendCodePoint(cp);
        i += len;
      }
    }
    if (obfuscated) {
      sink.add(
          "template.obfuscated-string",
          Severity.HIGH,
          at,
          Text.oneLine(raw),
          "string literal spells ordinary characters with escapes (hides what it names)");
    }
    return sb.toString();
  }

  private static int hex(String s, int from, int digits) {
    if (from + digits > s.length()) {
      return -1;
    }
    int v = 0;
    for (int k = from; k < from + digits; k++) {
      int d = Character.digit(s.charAt(k), 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }
}
