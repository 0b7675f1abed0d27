package dev.modelseal.format;

import dev.modelseal.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The preamble and header dictionary of an npy file, parsed strictly and without evaluating
 * anything: {@code \x93NUMPY}, version 1.0 (u16 LE header length), 2.0 or 3.0 (u32 LE), then a
 * Python dict literal with exactly the keys {@code descr}, {@code fortran_order} and {@code shape},
 * terminated by {@code \n}.
 *
 * <p>This type does not judge the {@code descr}: it is usable on object arrays ({@code |O}), whose
 * data is a pickle, so that the scanner can find that pickle at {@link #dataOffset()}. The readers
 * apply the descr rules on top of it.
 *
 * <p>The grammar is narrower than Python's (no escapes, no string prefixes, no comments, only
 * spaces as whitespace, decimal integers without leading zeros), which every known writer (numpy,
 * MLX) stays inside; anything outside it is refused rather than guessed at.
 *
 * @param majorVersion 1, 2 or 3
 * @param minorVersion always 0
 * @param descr the {@code descr} string, as written (e.g. {@code <f4}, {@code |O})
 * @param fortranOrder the {@code fortran_order} flag
 * @param shape the {@code shape} tuple, outermost dimension first
 * @param dataOffset bytes from the start of the npy data to the first array byte
 * @param warnings non-fatal observations (key order MLX would misread)
 */
public record NpyHeader(
    int majorVersion,
    int minorVersion,
    String descr,
    boolean fortranOrder,
    Shape shape,
    long dataOffset,
    List<Problem> warnings) {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int PREAMBLE = MAGIC.length + 2;
  private static final ValueLayout.OfShort U16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt U32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final List<String> NUMPY_KEY_ORDER = List.of("descr", "fortran_order", "shape");

  /** MLX reads the descr at this header offset and 'T'/'F' of fortran_order at the next. */
  private static final int MLX_DESCR_AT = 11;

  private static final int MLX_FORTRAN_AT = 34;

  public NpyHeader {
    Objects.requireNonNull(descr, "descr");
    Objects.requireNonNull(shape, "shape");
    warnings = List.copyOf(warnings);
  }

  /** {@code "1.0"}, {@code "2.0"} or {@code "3.0"}. */
  public String version() {
    return majorVersion + "." + minorVersion;
  }

  /** True when {@code bytes} begins with the npy magic {@code \x93NUMPY}. */
  public static boolean hasMagic(MemorySegment bytes) {
    if (bytes.byteSize() < MAGIC.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses the npy preamble and header at the start of {@code bytes}. Only the header needs to be
   * present: {@code bytes} may end at (or after) {@link #dataOffset()}; the data is not looked at.
   *
   * @param bytes the npy file (or at least its header) starting at offset 0
   * @param file the file, for messages (may be null)
   * @param location the npz member or tensor, for messages (may be null)
   * @throws FormatException naming the rule, e.g. {@code npy.header-syntax}; {@link
   *     LimitExceededException} for a header above {@link ParseLimits#maxNpyHeaderBytes()} or a
   *     rank above {@link ParseLimits#maxRank()}
   */
  public static NpyHeader parse(MemorySegment bytes, ParseLimits limits, Path file, String location)
      throws FormatException {
    return parse(bytes, limits, new Where(file, 0, location));
  }

  /** Parses with offsets in messages shifted by {@code where.base} (-1: no offsets known). */
  static NpyHeader parse(MemorySegment bytes, ParseLimits limits, Where where)
      throws FormatException {
    long size = bytes.byteSize();
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= size) {
        throw where.error("npy.truncated-preamble", i, "file ends inside the npy magic");
      }
      if (bytes.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
        throw where.error("npy.bad-magic", 0, "does not start with the npy magic \\x93NUMPY");
      }
    }
    if (size < PREAMBLE) {
      throw where.error("npy.truncated-preamble", size, "file ends inside the npy version");
    }
    int major = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, 6));
    int minor = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, 7));
    if (major < 1 || major > 3 || minor != 0) {
      throw where.error(
          "npy.unsupported-version",
          6,
          "npy version " + major + "." + minor + " is not 1.0, 2.0 or 3.0");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    if (size < PREAMBLE + lengthBytes) {
      throw where.error("npy.truncated-preamble", size, "file ends inside the header length");
    }
    long headerLength =
        major == 1
            ? Short.toUnsignedLong(bytes.get(U16, PREAMBLE))
            : Integer.toUnsignedLong(bytes.get(U32, PREAMBLE));
    ParseLimits.check(
        "max-npy-header-bytes",
        headerLength,
        Math.min(limits.maxNpyHeaderBytes(), Integer.MAX_VALUE - 64L),
        where.file,
        where.at(PREAMBLE),
        where.location);
    long headerStart = (long) PREAMBLE + lengthBytes;
    long dataOffset = headerStart + headerLength;
    if (dataOffset > size) {
      throw where.error(
          "npy.truncated-header",
          size,
          "header declares "
              + headerLength
              + " bytes but only "
              + (size - headerStart)
              + " follow");
    }
    byte[] raw = bytes.asSlice(headerStart, headerLength).toArray(ValueLayout.JAVA_BYTE);
    if (raw.length == 0 || raw[raw.length - 1] != '\n') {
      throw where.error(
          "npy.header-not-terminated", dataOffset - 1, "header does not end with a newline");
    }
    String text = decode(raw, major, where, headerStart);
    Literal literal =
        new Literal(text.substring(0, text.length() - 1), limits, where, headerStart).parse();

    List<Problem> warnings = new ArrayList<>();
    if (!literal.keyOrder.equals(NUMPY_KEY_ORDER)) {
      warnings.add(
          where.problem(
              "npy.header-key-order",
              "header keys are in the order "
                  + literal.keyOrder
                  + ", not numpy's "
                  + NUMPY_KEY_ORDER
                  + ": MLX reads the header by position and would load this file differently"));
    } else if (!mlxReadsAlike(text, literal.descr, literal.fortranOrder)) {
      warnings.add(
          where.problem(
              "npy.header-mlx-positional",
              "MLX reads descr at byte "
                  + MLX_DESCR_AT
                  + " and fortran_order at byte "
                  + MLX_FORTRAN_AT
                  + " of the header; this header's spacing makes it read something else"));
    }
    return new NpyHeader(
        major,
        minor,
        literal.descr,
        literal.fortranOrder,
        Shape.of(literal.shape),
        dataOffset,
        warnings);
  }

  /**
   * Whether MLX's loader, which takes exactly three descr characters at a fixed offset and {@code
   * T} at another for Fortran order, sees what the header says. A descr of another length (e.g.
   * {@code <c16}) is always misread by it.
   */
  private static boolean mlxReadsAlike(String header, String descr, boolean fortran) {
    if (header.length() <= MLX_FORTRAN_AT || descr.length() != 3) {
      return false;
    }
    boolean descrAlike =
        header.startsWith(descr, MLX_DESCR_AT)
            && (header.charAt(MLX_DESCR_AT + 3) == '\'' || header.charAt(MLX_DESCR_AT + 3) == '"');
    boolean mlxFortran = header.charAt(MLX_FORTRAN_AT) == 'T';
    return descrAlike && mlxFortran == fortran;
  }

  private static String decode(byte[] raw, int major, Where where, long headerStart)
      throws FormatException {
    if (major < 3) {
      return new String(raw, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      throw where.error(
          "npy.header-encoding", headerStart, "version 3.0 header is not valid UTF-8");
    }
  }

  /** Where a header lies, for messages: a file, an offset base (-1 if unknown), a member. */
  record Where(Path file, long base, String location) {
    /** The file offset of {@code offset} within the npy data, or -1 when either is unknown. */
    long at(long offset) {
      return base < 0 || offset < 0 ? -1 : base + offset;
    }

    FormatException error(String rule, long offset, String detail) {
      return new FormatException(rule, file, at(offset), location, detail);
    }

    Problem problem(String rule, String detail) {
      FormatException e = new FormatException(rule, file, -1, location, detail);
      return new Problem(rule, e.getMessage());
    }
  }

  /**
   * Recursive-descent parser for the header dict literal. Offsets in errors are relative to the
   * header text; characters and bytes coincide for the ASCII the grammar accepts.
   */
  private static final class Literal {
    private final String s;
    private final ParseLimits limits;
    private final Where where;
    private final long textStart;
    private int pos;

    private final List<String> keyOrder = new ArrayList<>();
    private String descr;
    private boolean fortranOrder;
    private long[] shape;

    Literal(String s, ParseLimits limits, Where where, long textStart) {
      this.s = s;
      this.limits = limits;
      this.where = where;
      this.textStart = textStart;
    }

    Literal parse() throws FormatException {
      Map<String, Boolean> seen = new LinkedHashMap<>();
      spaces();
      expect('{');
      spaces();
      while (peek() != '}') {
        int keyAt = pos;
        String key = string("key");
        spaces();
        expect(':');
        spaces();
        if (seen.put(key, Boolean.TRUE) != null) {
          throw error("npy.header-duplicate-key", keyAt, "key '" + key + "' appears twice");
        }
        switch (key) {
          case "descr" -> descr = descrValue();
          case "fortran_order" -> fortranOrder = bool();
          case "shape" -> shape = tuple();
          default ->
              throw error(
                  "npy.header-unknown-key",
                  keyAt,
                  "key '"
                      + FormatException.sanitize(key)
                      + "' is not one of descr, fortran_order, shape");
        }
        keyOrder.add(key);
        spaces();
        if (peek() == ',') {
          pos++;
          spaces();
        } else if (peek() != '}') {
          throw syntax("expected ',' or '}'");
        }
      }
      pos++;
      spaces();
      if (pos != s.length()) {
        throw syntax("unexpected text after the closing '}'");
      }
      for (String k : NUMPY_KEY_ORDER) {
        if (!seen.containsKey(k)) {
          throw error("npy.header-missing-key", s.length(), "header has no '" + k + "' key");
        }
      }
      return this;
    }

    private String descrValue() throws FormatException {
      char c = peek();
      if (c == '[' || c == '{' || c == '(') {
        throw error(
            "npy.descr-structured",
            pos,
            "structured (record) descr is not supported: only plain numeric dtypes are");
      }
      if (c != '\'' && c != '"') {
        throw error("npy.header-bad-value", pos, "descr must be a string");
      }
      return string("descr");
    }

    private boolean bool() throws FormatException {
      if (s.startsWith("True", pos) && !identifierAt(pos + 4)) {
        pos += 4;
        return true;
      }
      if (s.startsWith("False", pos) && !identifierAt(pos + 5)) {
        pos += 5;
        return false;
      }
      throw error("npy.header-bad-value", pos, "fortran_order must be True or False");
    }

    private boolean identifierAt(int i) {
      return i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_');
    }

    /** A Python tuple of non-negative decimal ints: (), (n,), (n, m), (n, m,). */
    private long[] tuple() throws FormatException {
      if (peek() != '(') {
        throw error("npy.header-bad-value", pos, "shape must be a tuple");
      }
      pos++;
      spaces();
      List<Long> dims = new ArrayList<>();
      boolean trailingComma = false;
      while (peek() != ')') {
        dims.add(integer());
        ParseLimits.check(
            "max-rank", dims.size(), limits.maxRank(), where.file, at(pos), where.location);
        spaces();
        trailingComma = false;
        if (peek() == ',') {
          pos++;
          trailingComma = true;
          spaces();
        } else if (peek() != ')') {
          throw syntax("expected ',' or ')' in shape");
        }
      }
      if (dims.size() == 1 && !trailingComma) {
        throw syntax("'(n)' is an int, not a tuple: a one-dimensional shape is written '(n,)'");
      }
      pos++;
      long[] out = new long[dims.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = dims.get(i);
      }
      long n = 1;
      for (long d : out) {
        try {
          n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
          throw error("npy.shape-overflow", pos, "element count overflows 64 bits");
        }
      }
      return out;
    }

    private long integer() throws FormatException {
      int start = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == start) {
        if (peek() == '-') {
          throw error("npy.header-bad-value", pos, "shape dimensions must not be negative");
        }
        throw error("npy.header-bad-value", pos, "shape dimensions must be decimal integers");
      }
      if (s.charAt(start) == '0' && pos - start > 1) {
        throw syntax("leading zeros are not a Python integer literal");
      }
      if (identifierAt(pos) || (pos < s.length() && s.charAt(pos) == '.')) {
        throw error("npy.header-bad-value", pos, "shape dimensions must be decimal integers");
      }
      try {
        return Long.parseLong(s, start, pos, 10);
      } catch (NumberFormatException e) {
        throw error("npy.shape-overflow", start, "shape dimension does not fit 64 bits");
      }
    }

    /** A '...' or "..." string without escapes, prefixes or line breaks. */
    private String string(String what) throws FormatException {
      char q = peek();
      if (q != '\'' && q != '"') {
        throw syntax("expected a quoted " + what);
      }
      int start = ++pos;
      while (pos < s.length() && s.charAt(pos) != q) {
        char c = s.charAt(pos);
        if (c == '\\' || c < 0x20 || c == 0x7f) {
          throw syntax("escapes and control characters are not allowed in " + what + " strings");
        }
        pos++;
      }
      if (pos >= s.length()) {
        throw syntax("unterminated " + what + " string");
      }
      return s.substring(start, pos++);
    }

    private void spaces() {
      while (pos < s.length() && s.charAt(pos) == ' ') {
        pos++;
      }
    }

    private char peek() throws FormatException {
      if (pos >= s.length()) {
        throw syntax("header ends early");
      }
      return s.charAt(pos);
    }

    private void expect(char c) throws FormatException {
      if (peek() != c) {
        throw syntax("expected '" + c + "'");
      }
      pos++;
    }

    private long at(int i) {
      return where.at(textStart + i);
    }

    private FormatException error(String rule, int i, String detail) {
      return new FormatException(rule, where.file, at(i), where.location, detail);
    }

    private FormatException syntax(String detail) {
      return error("npy.header-syntax", pos, "header is not a plain dict literal: " + detail);
    }
  }
}
