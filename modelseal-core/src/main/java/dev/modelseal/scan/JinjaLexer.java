package dev.modelseal.scan;

import dev.modelseal.scan.JinjaToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenises a template by the rules of Jinja2's lexer ({@code jinja2/lexer.py}) with the default
 * environment: the variable, block and comment delimiters; whitespace control {@code -} and {@code
 * +}; {@code raw}/{@code endraw}; no line statements. The points where a pattern matcher and Jinja
 * disagree are modelled as Jinja has them:
 *
 * <ul>
 *   <li>the source is first split into lines the way Python's {@code str.splitlines} does (so
 *       {@code \u2028}, {@code \x1c}, {@code \v} ... are newlines) and re-joined with {@code \n};
 *   <li>inside a tag an end delimiter only counts while no bracket, parenthesis or brace is open
 *       (Jinja's balancing stack), so a dict literal whose braces close twice in a row does not end
 *       the expression;
 *   <li>string literals are decoded as Jinja does, {@code .encode("ascii",
 *       "backslashreplace").decode("unicode-escape")}: {@code '\x5f'} is {@code _};
 *   <li>anything Jinja's lexer rejects (an unknown character, an unclosed string or comment, a bad
 *       escape, unbalanced brackets) is a {@link TemplateSyntaxException}.
 * </ul>
 */
final class JinjaLexer {
  private static final String[] OPERATORS = {
    "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
    ">", "<", "=", ".", ":", "|", ",", ";"
  };

  private final String src;
  private final int maxTokens;
  private final List<JinjaToken> out = new ArrayList<>();
  private int pos;

  private JinjaLexer(String src, int maxTokens) {
    this.src = src;
    this.maxTokens = maxTokens;
  }

  /**
   * Jinja's newline handling: {@code splitlines()} then {@code "\n".join}, which also drops one
   * trailing newline ({@code keep_trailing_newline} is off by default).
   */
  static String normalise(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
        i++;
        sb.append('\n');
      } else if (isLineBreak(c)) {
        sb.append('\n');
      } else {
        sb.append(c);
      }
    }
    if (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '\n') {
      sb.setLength(sb.length() - 1);
    }
    return sb.toString();
  }

  private static boolean isLineBreak(char c) {
    return switch (c) {
      case '\n',
          '\r',
          '\u000b',
          '\u000c',
          '\u001c',
          '\u001d',
          '\u001e',
          '\u0085',
          '\u2028',
          '\u2029' ->
          true;
      default -> false;
    };
  }

  /** Python's {@code \s} (and {@code str.isspace}) for str patterns. */
  static boolean isSpace(char c) {
    return switch (c) {
      case ' ',
          '\t',
          '\n',
          '\u000b',
          '\u000c',
          '\r',
          '\u001c',
          '\u001d',
          '\u001e',
          '\u001f',
          '\u0085',
          '\u00a0',
          '\u1680',
          '\u2028',
          '\u2029',
          '\u202f',
          '\u205f',
          '\u3000' ->
          true;
      default -> c >= '\u2000' && c <= '\u200a';
    };
  }

  /** Tokens of a normalised source, ending with one {@code EOF}. */
  static List<JinjaToken> tokenize(String normalised, int maxTokens)
      throws TemplateSyntaxException {
    JinjaLexer l = new JinjaLexer(normalised, maxTokens);
    l.root();
    l.out.add(new JinjaToken(Kind.EOF, "", normalised.length(), false));
    return l.out;
  }

  private void emit(Kind k, String text, int at, boolean obfuscated)
      throws TemplateSyntaxException {
    if (out.size() >= maxTokens) {
      throw new TemplateSyntaxException("more than " + maxTokens + " tokens", at);
    }
    out.add(new JinjaToken(k, text, at, obfuscated));
  }

  private void root() throws TemplateSyntaxException {
    int n = src.length();
    while (pos < n) {
      int open = nextOpen(pos);
      if (open < 0) {
        emit(Kind.DATA, src.substring(pos), pos, false);
        return;
      }
      char kind = src.charAt(open + 1);
      int after = open + 2;
      char sign = after < n ? src.charAt(after) : 0;
      boolean strip = sign == '-';
      if (sign == '-' || sign == '+') {
        after++;
      }
      String data = src.substring(pos, open);
      if (strip) {
        data = rstrip(data);
      }
      if (!data.isEmpty()) {
        emit(Kind.DATA, data, pos, false);
      }
      if (kind == '%') {
        int rawEnd = rawBegin(after);
        if (rawEnd >= 0) {
          raw(rawEnd);
          continue;
        }
      }
      switch (kind) {
        case '#' -> comment(after);
        case '{' -> {
          emit(Kind.VARIABLE_BEGIN, "{{", open, false);
          pos = after;
          tag(false);
        }
        default -> {
          emit(Kind.BLOCK_BEGIN, "{%", open, false);
          pos = after;
          tag(true);
        }
      }
    }
  }

  /** The earliest opening delimiter (variable, block or comment) at or after {@code from}. */
  private int nextOpen(int from) {
    int i = src.indexOf('{', from);
    while (i >= 0 && i + 1 < src.length()) {
      char k = src.charAt(i + 1);
      if (k == '{' || k == '%' || k == '#') {
        return i;
      }
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  /** {@code {%[-+]?\s*raw\s*(-%}\s*|%})}: the end of the raw-begin tag, or -1. */
  private int rawBegin(int after) {
    int i = skipSpace(after);
    if (!src.startsWith("raw", i)) {
      return -1;
    }
    int j = skipSpace(i + 3);
    if (src.startsWith("-%}", j)) {
      return skipSpace(j + 3);
    }
    if (src.startsWith("%}", j)) {
      return j + 2;
    }
    return -1;
  }

  /** Raw text up to the first {@code {%[-+]?\s*endraw\s*(+%}|-%}\s*|%})}, all of it data. */
  private void raw(int from) throws TemplateSyntaxException {
    int i = src.indexOf("{%", from);
    while (i >= 0) {
      int j = i + 2;
      boolean strip = j < src.length() && src.charAt(j) == '-';
      if (j < src.length() && (src.charAt(j) == '-' || src.charAt(j) == '+')) {
        j++;
      }
      j = skipSpace(j);
      if (src.startsWith("endraw", j)) {
        int k = skipSpace(j + 6);
        int end = -1;
        if (src.startsWith("+%}", k)) {
          end = k + 3;
        } else if (src.startsWith("-%}", k)) {
          end = skipSpace(k + 3);
        } else if (src.startsWith("%}", k)) {
          end = k + 2;
        }
        if (end >= 0) {
          String data = src.substring(from, i);
          if (strip) {
            data = rstrip(data);
          }
          if (!data.isEmpty()) {
            emit(Kind.DATA, data, from, false);
          }
          pos = end;
          return;
        }
      }
      i = src.indexOf("{%", i + 1);
    }
    throw new TemplateSyntaxException("Missing end of raw directive", from);
  }

  /** A comment ends at the first {@code #}}; {@code -#}} also strips the whitespace after it. */
  private void comment(int from) throws TemplateSyntaxException {
    int end = src.indexOf("#}", from);
    if (end < 0) {
      throw new TemplateSyntaxException("Missing end of comment tag", from);
    }
    boolean strip = end > from && src.charAt(end - 1) == '-';
    pos = strip ? skipSpace(end + 2) : end + 2;
  }

  /** The inside of {@code {{ }}} or {@code {% %}}, up to its end delimiter at bracket balance. */
  private void tag(boolean block) throws TemplateSyntaxException {
    StringBuilder balance = new StringBuilder();
    int n = src.length();
    while (pos < n) {
      if (balance.isEmpty()) {
        int end = tagEnd(block);
        if (end >= 0) {
          emit(block ? Kind.BLOCK_END : Kind.VARIABLE_END, block ? "%}" : "}}", pos, false);
          pos = end;
          return;
        }
      }
      char c = src.charAt(pos);
      if (isSpace(c)) {
        pos++;
        continue;
      }
      int start = pos;
      int e = floatEnd(pos);
      if (e > 0) {
        emit(Kind.FLOAT, src.substring(start, e).replace("_", ""), start, false);
        pos = e;
        continue;
      }
      e = integerEnd(pos);
      if (e > 0) {
        emit(Kind.INTEGER, src.substring(start, e).replace("_", ""), start, false);
        pos = e;
        continue;
      }
      if (isWordChar(c)) {
        e = pos;
        while (e < n && isWordChar(src.charAt(e))) {
          e++;
        }
        String name = src.substring(start, e);
        if (!isIdentifier(name)) {
          throw new TemplateSyntaxException("Invalid character in identifier", start);
        }
        emit(Kind.NAME, name, start, false);
        pos = e;
        continue;
      }
      if (c == '\'' || c == '"') {
        string(c);
        continue;
      }
      String op = operatorAt(pos);
      if (op == null) {
        throw new TemplateSyntaxException("unexpected char " + quoteChar(c), pos);
      }
      switch (op) {
        case "(" -> balance.append(')');
        case "[" -> balance.append(']');
        case "{" -> balance.append('}');
        case ")", "]", "}" -> {
          if (balance.isEmpty()) {
            throw new TemplateSyntaxException("unexpected '" + op + "'", pos);
          }
          char expected = balance.charAt(balance.length() - 1);
          balance.setLength(balance.length() - 1);
          if (expected != op.charAt(0)) {
            throw new TemplateSyntaxException(
                "unexpected '" + op + "', expected '" + expected + "'", pos);
          }
        }
        default -> {}
      }
      emit(Kind.OPERATOR, op, pos, false);
      pos += op.length();
    }
    // End of source inside a tag: the parser reports "unexpected end of template".
  }

  /** End of the tag's closing delimiter at {@code pos} (with whitespace control), or -1. */
  private int tagEnd(boolean block) {
    if (block) {
      if (src.startsWith("+%}", pos)) {
        return pos + 3;
      }
      if (src.startsWith("-%}", pos)) {
        return skipSpace(pos + 3);
      }
      return src.startsWith("%}", pos) ? pos + 2 : -1;
    }
    if (src.startsWith("-}}", pos)) {
      return skipSpace(pos + 3);
    }
    return src.startsWith("}}", pos) ? pos + 2 : -1;
  }

  private static String quoteChar(char c) {
    return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  private int skipSpace(int i) {
    while (i < src.length() && isSpace(src.charAt(i))) {
      i++;
    }
    return i;
  }

  private static String rstrip(String s) {
    int e = s.length();
    while (e > 0 && isSpace(s.charAt(e - 1))) {
      e--;
    }
    return s.substring(0, e);
  }

  private String operatorAt(int i) {
    for (String op : OPERATORS) {
      if (src.startsWith(op, i)) {
        return op;
      }
    }
    return null;
  }

  /** Python's {@code \d} for str patterns: any Unicode decimal digit. */
  private static boolean isDigit(char c) {
    return Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER;
  }

  /** {@code (\d+_)*\d+}, the digit run of Jinja's float and integer patterns; -1 if none. */
  private int digits(int i) {
    if (i >= src.length() || !isDigit(src.charAt(i))) {
      return -1;
    }
    int e = i;
    while (true) {
      while (e < src.length() && isDigit(src.charAt(e))) {
        e++;
      }
      if (e + 1 < src.length() && src.charAt(e) == '_' && isDigit(src.charAt(e + 1))) {
        e++;
        continue;
      }
      return e;
    }
  }

  /** Jinja's float: {@code (?<!\.)(\d+_)*\d+((\.(\d+_)*\d+)?e[+\-]?(\d+_)*\d+|\.(\d+_)*\d+)}. */
  private int floatEnd(int i) {
    if (i > 0 && src.charAt(i - 1) == '.') {
      return -1;
    }
    int e = digits(i);
    if (e < 0) {
      return -1;
    }
    int frac = -1;
    if (e < src.length() && src.charAt(e) == '.') {
      frac = digits(e + 1);
    }
    int mant = frac > 0 ? frac : e;
    if (mant < src.length() && (src.charAt(mant) == 'e' || src.charAt(mant) == 'E')) {
      int x = mant + 1;
      if (x < src.length() && (src.charAt(x) == '+' || src.charAt(x) == '-')) {
        x++;
      }
      int exp = digits(x);
      if (exp > 0) {
        return exp;
      }
    }
    return frac;
  }

  /** Jinja 3's integer: binary, octal, hex with {@code _}, decimal, or zeros. */
  private int integerEnd(int i) {
    int n = src.length();
    char c = src.charAt(i);
    if (c == '0' && i + 1 < n) {
      char p = Character.toLowerCase(src.charAt(i + 1));
      int radix = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 0;
      if (radix > 0) {
        int e = i + 2;
        int count = 0;
        while (true) {
          int k = e < n && src.charAt(e) == '_' ? e + 1 : e;
          if (k < n && Character.digit(src.charAt(k), radix) >= 0 && src.charAt(k) < 0x80) {
            e = k + 1;
            count++;
          } else {
            break;
          }
        }
        if (count > 0) {
          return e;
        }
      }
    }
    if (c >= '1' && c <= '9') {
      int e = i + 1;
      while (true) {
        int k = e < n && src.charAt(e) == '_' ? e + 1 : e;
        if (k < n && isDigit(src.charAt(k))) {
          e = k + 1;
        } else {
          return e;
        }
      }
    }
    if (c == '0') {
      int e = i + 1;
      while (true) {
        int k = e < n && src.charAt(e) == '_' ? e + 1 : e;
        if (k < n && src.charAt(k) == '0') {
          e = k + 1;
        } else {
          return e;
        }
      }
    }
    return -1;
  }

  /** Python's {@code \w} for str patterns plus the combining marks of Jinja's name pattern. */
  private static boolean isWordChar(char c) {
    if (c == '_' || Character.isLetterOrDigit(c)) {
      return true;
    }
    return switch (Character.getType(c)) {
      case Character.LETTER_NUMBER,
          Character.OTHER_NUMBER,
          Character.NON_SPACING_MARK,
          Character.COMBINING_SPACING_MARK,
          Character.CONNECTOR_PUNCTUATION ->
          true;
      default -> false;
    };
  }

  private static boolean isIdentifier(String s) {
    int first = s.codePointAt(0);
    if (first != '_' && !Character.isUnicodeIdentifierStart(first)) {
      return false;
    }
    for (int i = Character.charCount(first); i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (!Character.isUnicodeIdentifierPart(cp) || Character.isIdentifierIgnorable(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  /** {@code '([^'\\]*(?:\\.[^'\\]*)*)'}: a quoted string, possibly over several lines. */
  private void string(char quote) throws TemplateSyntaxException {
    int start = pos;
    int i = pos + 1;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote) {
        break;
      }
      i++;
    }
    if (i >= n) {
      throw new TemplateSyntaxException("unexpected char " + quoteChar(quote), start);
    }
    String body = src.substring(start + 1, i);
    boolean[] obfuscated = {false};
    String value = unescape(body, start, obfuscated);
    emit(Kind.STRING, value, start, obfuscated[0]);
    pos = i + 1;
  }

  /**
   * Python's {@code body.encode("ascii", "backslashreplace").decode("unicode-escape")}. The first
   * step matters: a backslash before a non-ASCII character escapes the first character of its
   * {@code \xNN} spelling, so {@code '\é'} decodes to the four characters {@code \xe9}.
   */
  static String unescape(String body, int at, boolean[] obfuscated) throws TemplateSyntaxException {
    if (body.indexOf('\\') < 0) {
      return body;
    }
    StringBuilder ascii = new StringBuilder(body.length() + 16);
    for (int i = 0; i < body.length(); ) {
      int cp = body.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        ascii.append((char) cp);
      } else if (cp <= 0xff) {
        ascii.append(String.format("\\x%02x", cp));
      } else if (cp <= 0xffff) {
        ascii.append(String.format("\\u%04x", cp));
      } else {
        ascii.append(String.format("\\U%08x", cp));
      }
    }
    String s = ascii.toString();
    StringBuilder sb = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '\\') {
        sb.append(c);
        i++;
        continue;
      }
      if (i + 1 >= s.length()) {
        throw new TemplateSyntaxException("\\ at end of string", at);
      }
      char e = s.charAt(i + 1);
      int cp;
      int len = 2;
      switch (e) {
        case '\n' -> cp = -1;
        case '\\', '\'', '"' -> cp = e;
        case 'a' -> cp = 7;
        case 'b' -> cp = 8;
        case 'f' -> cp = 12;
        case 'n' -> cp = '\n';
        case 'r' -> cp = '\r';
        case 't' -> cp = '\t';
        case 'v' -> cp = 11;
        case 'x', 'u', 'U' -> {
          int count = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          cp = hex(s, i + 2, count);
          if (cp < 0) {
            throw new TemplateSyntaxException("truncated \\" + e + " escape", at);
          }
          if (cp > Character.MAX_CODE_POINT) {
            throw new TemplateSyntaxException("illegal Unicode character", at);
          }
          len = 2 + count;
        }
        case 'N' -> {
          int close = s.indexOf('}', i + 3);
          if (i + 2 >= s.length() || s.charAt(i + 2) != '{' || close < 0) {
            throw new TemplateSyntaxException("malformed \\N character escape", at);
          }
          try {
            cp = Character.codePointOf(s.substring(i + 3, close));
          } catch (IllegalArgumentException ex) {
            throw new TemplateSyntaxException("unknown Unicode character name", at);
          }
          len = close - i + 1;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = 0;
            int k = i + 1;
            while (k < s.length() && k < i + 4 && s.charAt(k) >= '0' && s.charAt(k) <= '7') {
              v = v * 8 + (s.charAt(k) - '0');
              k++;
            }
            cp = v;
            len = k - i;
          } else {
            cp = -2; // unknown escape: Python keeps the backslash
          }
        }
      }
      if (cp == -1) {
        i += 2;
      } else if (cp == -2) {
        sb.append('\\');
        i++;
      } else {
        // Ordinary templates escape newlines, tabs and quotes; an escape that spells a letter,
        // digit, underscore or dot only hides what the string names.
        boolean plain = Character.isLetterOrDigit(cp) || cp == '_' || cp == '.';
        if (plain && (cp < 0x80 || e == 'N')) {
          obfuscated[0] = true;
        }
        sb.appendCodePoint(cp);
        i += len;
      }
    }
    return sb.toString();
  }

  private static int hex(String s, int from, int count) {
    if (from + count > s.length()) {
      return -1;
    }
    long v = 0;
    for (int k = from; k < from + count; k++) {
      int d = Character.digit(s.charAt(k), 16);
      if (d < 0 || s.charAt(k) >= 0x80) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
  }
}
