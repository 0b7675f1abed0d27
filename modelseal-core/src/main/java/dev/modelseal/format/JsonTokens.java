package dev.modelseal.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A strict stream of JSON tokens over UTF-8 bytes from a hostile file. It is the one place where
 * ModelSeal's JSON strictness lives, shared by the safetensors header reader and {@link
 * StrictJson}:
 *
 * <ul>
 *   <li>the bytes must be valid UTF-8 (checked by a REPORTing decoder before any parsing), with no
 *       byte-order mark: the reference parsers (serde_json, nlohmann) reject both;
 *   <li>standard JSON only (Jackson's defaults: no comments, NaN, single quotes, leading zeros);
 *   <li>strings must not decode to unpaired surrogates (serde_json rejects {@code "\ud800"},
 *       Jackson would accept it: a parser differential);
 *   <li>nesting is bounded by {@link ParseLimits#maxJsonDepth()}; nothing but JSON whitespace may
 *       follow the root value.
 * </ul>
 *
 * <p>Field-name canonicalisation and interning are off: hostile names must neither trip Jackson's
 * symbol-table collision guard (an unchecked exception) nor fill the JVM string table.
 *
 * <p>Rule names are {@code <rulePrefix>-not-utf8}, {@code -not-json}, {@code -lone-surrogate},
 * {@code -token-too-long}; nesting deeper than the limit is {@code limit.max-json-depth}. Offsets
 * in messages are absolute byte offsets in the file ({@code baseOffset} + the byte offset in the
 * JSON text).
 */
final class JsonTokens implements AutoCloseable {
  private final JsonParser parser;
  private final char[] chars;
  private final int length;
  private final Path file;
  private final String rulePrefix;
  private final long baseOffset;
  private final int maxDepth;

  private JsonTokens(
      JsonParser parser,
      char[] chars,
      int length,
      Path file,
      String rulePrefix,
      long baseOffset,
      int maxDepth) {
    this.parser = parser;
    this.chars = chars;
    this.length = length;
    this.file = file;
    this.rulePrefix = rulePrefix;
    this.baseOffset = baseOffset;
    this.maxDepth = maxDepth;
  }

  /**
   * Decodes {@code utf8} strictly and positions a parser before the first token.
   *
   * @param utf8 the JSON bytes (position to limit); consumed
   * @param baseOffset absolute file offset of {@code utf8}'s first byte, for messages
   */
  static JsonTokens open(
      ByteBuffer utf8, ParseLimits limits, Path file, String rulePrefix, long baseOffset)
      throws FormatException {
    CharBuffer decoded = decode(utf8, file, rulePrefix, baseOffset);
    char[] chars = decoded.array();
    int length = decoded.limit();
    if (length > 0 && chars[0] == '\uFEFF') {
      throw new FormatException(
          rulePrefix + "-not-json", file, baseOffset, null, "JSON starts with a byte-order mark");
    }
    int maxDepth = limits.maxJsonDepth();
    StreamReadConstraints constraints =
        StreamReadConstraints.builder()
            // Our own depth check (in next()) fires first and names the limit; this is a backstop.
            .maxNestingDepth(maxDepth == Integer.MAX_VALUE ? maxDepth : maxDepth + 1)
            // Strings and names are bounded by the document, which the caller already bounded.
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .maxNumberLength(StreamReadConstraints.DEFAULT_MAX_NUM_LEN)
            .build();
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(constraints)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
    try {
      JsonParser parser = factory.createParser(chars, 0, length);
      return new JsonTokens(parser, chars, length, file, rulePrefix, baseOffset, maxDepth);
    } catch (IOException e) {
      throw new FormatException(
          rulePrefix + "-not-json", file, baseOffset, null, "cannot start parsing JSON", e);
    }
  }

  private static CharBuffer decode(ByteBuffer utf8, Path file, String rulePrefix, long baseOffset)
      throws FormatException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    int start = utf8.position();
    try {
      return decoder.decode(utf8);
    } catch (CharacterCodingException e) {
      // The decoder leaves the buffer positioned at the first malformed byte.
      throw new FormatException(
          rulePrefix + "-not-utf8",
          file,
          baseOffset + (utf8.position() - start),
          null,
          "invalid UTF-8",
          e);
    }
  }

  /** The next token, or null at the end of the input. */
  JsonToken next() throws FormatException {
    JsonToken t;
    try {
      t = parser.nextToken();
    } catch (StreamConstraintsException e) {
      throw new FormatException(
          rulePrefix + "-token-too-long",
          file,
          offsetOf(e),
          null,
          FormatException.sanitize(e.getOriginalMessage()),
          e);
    } catch (JsonProcessingException e) {
      throw new FormatException(
          rulePrefix + "-not-json",
          file,
          offsetOf(e),
          null,
          FormatException.sanitize(e.getOriginalMessage()),
          e);
    } catch (IOException e) {
      // Parsing an in-memory char array does no I/O; anything here is malformed input.
      throw new FormatException(
          rulePrefix + "-not-json", file, baseOffset, null, "unreadable JSON", e);
    }
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      int depth = parser.getParsingContext().getNestingDepth();
      if (depth > maxDepth) {
        throw new LimitExceededException(
            "max-json-depth", depth, maxDepth, file, tokenOffset(), null);
      }
    }
    return t;
  }

  /** The next token inside a value that has begun; the input cannot end here. */
  JsonToken nextInside() throws FormatException {
    JsonToken t = next();
    if (t == null) {
      throw error(rulePrefix + "-not-json", null, "unexpected end of JSON");
    }
    return t;
  }

  /** Fails unless only whitespace follows the root value. */
  void expectEnd() throws FormatException {
    if (next() != null) {
      throw error(rulePrefix + "-not-json", null, "content after the JSON value");
    }
  }

  /** The current field name, checked for unpaired surrogates. */
  String name() throws FormatException {
    try {
      return checked(parser.currentName());
    } catch (IOException e) {
      throw new FormatException(
          rulePrefix + "-not-json", file, tokenOffset(), null, "unreadable name", e);
    }
  }

  /** The current string value, checked for unpaired surrogates. */
  String string() throws FormatException {
    try {
      return checked(parser.getText());
    } catch (IOException e) {
      throw new FormatException(
          rulePrefix + "-not-json", file, tokenOffset(), null, "unreadable string", e);
    }
  }

  /** The current token's literal text (for numbers: exactly as written). */
  String text() throws FormatException {
    try {
      return parser.getText();
    } catch (IOException e) {
      throw new FormatException(
          rulePrefix + "-not-json", file, tokenOffset(), null, "unreadable token", e);
    }
  }

  JsonParser parser() {
    return parser;
  }

  /** True if the JSON text starts with whitespace (before its first token). */
  boolean startsWithWhitespace() {
    return length > 0 && isJsonWhitespace(chars[0]);
  }

  static boolean isJsonWhitespace(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /** Absolute file offset of the current token. */
  long tokenOffset() {
    return absolute(parser.currentTokenLocation().getCharOffset());
  }

  /** A FormatException located at the current token. */
  FormatException error(String rule, String location, String detail) {
    return new FormatException(rule, file, tokenOffset(), location, detail);
  }

  String rulePrefix() {
    return rulePrefix;
  }

  private String checked(String s) throws FormatException {
    if (s == null) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw error(rulePrefix + "-lone-surrogate", null, "string escapes an unpaired surrogate");
      }
      if (Character.isLowSurrogate(c)) {
        throw error(rulePrefix + "-lone-surrogate", null, "string escapes an unpaired surrogate");
      }
    }
    return s;
  }

  private long offsetOf(JsonProcessingException e) {
    return e.getLocation() == null ? baseOffset : absolute(e.getLocation().getCharOffset());
  }

  /** Converts a char offset in the decoded text back to an absolute byte offset in the file. */
  private long absolute(long charOffset) {
    if (charOffset < 0) {
      return baseOffset;
    }
    int end = (int) Math.min(charOffset, length);
    long bytes = 0;
    for (int i = 0; i < end; i++) {
      char c = chars[i];
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        // Decoded from valid UTF-8, so a high surrogate is always followed by its low half.
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return baseOffset + bytes;
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException e) {
      // Closing a parser over a char array releases buffers only; nothing can fail that matters.
    }
  }
}
