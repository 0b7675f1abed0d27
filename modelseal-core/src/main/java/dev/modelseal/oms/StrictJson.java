package dev.modelseal.oms;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.format.ParseLimits;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * Strict JSON for bundles and statements: duplicate keys, trailing tokens, excessive depth and
 * oversized documents are errors, and every accessor names the rule a wrong shape breaks.
 */
final class StrictJson {
  private final ObjectMapper mapper;

  StrictJson(ParseLimits limits) {
    int maxBytes = (int) Math.min(Integer.MAX_VALUE, limits.maxBundleBytes());
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxJsonDepth())
                    .maxDocumentLength(maxBytes)
                    .maxStringLength(maxBytes)
                    .maxNumberLength(64)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
  }

  /** Parses a whole document that must be a JSON object. */
  ObjectNode parseObject(byte[] json, String what, String rule) throws VerificationException {
    JsonNode n;
    try {
      n = mapper.readTree(utf8(json, what, rule));
    } catch (JsonProcessingException e) {
      throw new VerificationException(rule, what + " is not valid JSON: " + oneLine(e), e);
    } catch (NumberFormatException e) {
      // Jackson reports numbers it cannot represent (e.g. a BigDecimal exponent overflow such as
      // 1e2222222222) as a runtime exception; on hostile input that is just malformed JSON.
      throw new VerificationException(rule, what + " has an unrepresentable number", e);
    }
    if (n == null || n.isMissingNode()) {
      throw new VerificationException(rule, what + " is empty");
    }
    if (!(n instanceof ObjectNode o)) {
      throw new VerificationException(rule, what + " is not a JSON object");
    }
    return o;
  }

  /**
   * The document as text, decoded by a decoder that reports every malformed or overlong sequence.
   * Jackson's own byte parser accepts overlong sequences, and looks names up by their raw bytes in
   * a symbol table shared by all parses of one factory, so that a key with an invalid byte could be
   * read as a key another document had used; its text parser has neither problem. A leading
   * byte-order mark is skipped, as Jackson's byte parser did.
   */
  private static String utf8(byte[] json, String what, String rule) throws VerificationException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    String text;
    try {
      text = decoder.decode(ByteBuffer.wrap(json)).toString();
    } catch (CharacterCodingException e) {
      throw new VerificationException(rule, what + " is not valid UTF-8", e);
    }
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static String oneLine(Exception e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
  }

  // ---- shape checks; every one throws with the caller's rule ----

  static void onlyKeys(ObjectNode o, Set<String> allowed, String where, String rule)
      throws VerificationException {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new VerificationException(
            rule,
            where + " has an unexpected property '" + VerificationException.printable(k) + "'");
      }
    }
  }

  static ObjectNode object(ObjectNode o, String key, String where, String rule)
      throws VerificationException {
    JsonNode n = o.get(key);
    if (n == null) {
      throw new VerificationException(rule, where + " lacks '" + key + "'");
    }
    if (!(n instanceof ObjectNode v)) {
      throw new VerificationException(rule, where + "." + key + " is not an object");
    }
    return v;
  }

  static Optional<ObjectNode> optionalObject(ObjectNode o, String key, String where, String rule)
      throws VerificationException {
    return o.has(key) ? Optional.of(object(o, key, where, rule)) : Optional.empty();
  }

  static ArrayNode array(ObjectNode o, String key, String where, String rule)
      throws VerificationException {
    JsonNode n = o.get(key);
    if (n == null) {
      throw new VerificationException(rule, where + " lacks '" + key + "'");
    }
    if (!(n instanceof ArrayNode v)) {
      throw new VerificationException(rule, where + "." + key + " is not an array");
    }
    return v;
  }

  static ObjectNode element(ArrayNode a, int i, String where, String rule)
      throws VerificationException {
    if (!(a.get(i) instanceof ObjectNode v)) {
      throw new VerificationException(rule, where + "[" + i + "] is not an object");
    }
    return v;
  }

  static String text(ObjectNode o, String key, String where, String rule)
      throws VerificationException {
    JsonNode n = o.get(key);
    if (n == null) {
      throw new VerificationException(rule, where + " lacks '" + key + "'");
    }
    if (!n.isTextual()) {
      throw new VerificationException(rule, where + "." + key + " is not a string");
    }
    return n.textValue();
  }

  static Optional<String> optionalText(ObjectNode o, String key, String where, String rule)
      throws VerificationException {
    return o.has(key) ? Optional.of(text(o, key, where, rule)) : Optional.empty();
  }

  static boolean bool(ObjectNode o, String key, String where, String rule)
      throws VerificationException {
    JsonNode n = o.get(key);
    if (n == null || !n.isBoolean()) {
      throw new VerificationException(rule, where + "." + key + " must be true or false");
    }
    return n.booleanValue();
  }

  /** Standard base64 (RFC 4648 section 4) of at least one byte. */
  static byte[] base64(ObjectNode o, String key, String where, String rule)
      throws VerificationException {
    String s = text(o, key, where, rule);
    byte[] b;
    try {
      b = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(rule, where + "." + key + " is not standard base64", e);
    }
    if (b.length == 0) {
      throw new VerificationException(rule, where + "." + key + " is empty");
    }
    return b;
  }
}
