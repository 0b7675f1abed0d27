package dev.modelseal.format;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Parses a JSON document from a hostile file (shard indexes, configs, bundles) into a Jackson tree,
 * strictly: valid UTF-8 without a byte-order mark, standard JSON only, no duplicate keys at any
 * level (the reference parsers silently keep the last value, so two readers could see different
 * documents), no unpaired surrogate escapes, nesting at most {@link ParseLimits#maxJsonDepth()},
 * nothing after the root value but whitespace.
 *
 * <p>Every violation is a {@link FormatException} whose rule is {@code <rulePrefix>-not-utf8},
 * {@code -not-json}, {@code -duplicate-key}, {@code -lone-surrogate} or {@code -token-too-long};
 * too deep a nesting is {@code limit.max-json-depth}. Integers become int/long/BigInteger nodes (at
 * most 1000 digits), other numbers double nodes, so no consumer can be made to expand a huge
 * exponent. The tree is built without recursion.
 */
public final class StrictJson {
  private StrictJson() {}

  /**
   * Parses {@code utf8} as one JSON value.
   *
   * @param fileForMessages the file the bytes came from, named in messages (may be null)
   * @param rulePrefix prefix of the rule names, e.g. {@code shards.index}
   */
  public static JsonNode parse(
      byte[] utf8, ParseLimits limits, Path fileForMessages, String rulePrefix)
      throws FormatException {
    try (JsonTokens tokens =
        JsonTokens.open(ByteBuffer.wrap(utf8), limits, fileForMessages, rulePrefix, 0)) {
      JsonNode root = readValue(tokens);
      tokens.expectEnd();
      return root;
    }
  }

  private static JsonNode readValue(JsonTokens tokens) throws FormatException {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    Deque<ContainerNode<?>> open = new ArrayDeque<>();
    Deque<String> pendingNames = new ArrayDeque<>();
    JsonNode root = null;
    JsonToken t = tokens.next();
    if (t == null) {
      throw tokens.error(tokens.rulePrefix() + "-not-json", null, "empty document");
    }
    while (true) {
      String fieldName = null;
      if (t == JsonToken.FIELD_NAME) {
        fieldName = tokens.name();
        ObjectNode parent = (ObjectNode) open.getFirst();
        if (parent.has(fieldName)) {
          throw tokens.error(
              tokens.rulePrefix() + "-duplicate-key", fieldName, "key appears twice in an object");
        }
        t = tokens.nextInside();
      }
      JsonNode value;
      boolean closed = false;
      switch (t) {
        case START_OBJECT -> value = nodes.objectNode();
        case START_ARRAY -> value = nodes.arrayNode();
        case END_OBJECT, END_ARRAY -> {
          value = open.removeFirst();
          fieldName = pendingNames.removeFirst();
          closed = true;
        }
        case VALUE_STRING -> value = nodes.textNode(tokens.string());
        case VALUE_NUMBER_INT -> value = integer(tokens);
        case VALUE_NUMBER_FLOAT -> value = nodes.numberNode(doubleValue(tokens));
        case VALUE_TRUE -> value = nodes.booleanNode(true);
        case VALUE_FALSE -> value = nodes.booleanNode(false);
        case VALUE_NULL -> value = nodes.nullNode();
        case null, default ->
            throw tokens.error(tokens.rulePrefix() + "-not-json", null, "unexpected token " + t);
      }
      if (!closed && value instanceof ContainerNode<?> container) {
        open.addFirst(container);
        // "" marks an array element or the root; a real name is kept for when the value closes.
        pendingNames.addFirst(fieldName == null ? "" : fieldName);
        t = tokens.nextInside();
        continue;
      }
      // A finished value: attach it to its parent, or it is the root.
      ContainerNode<?> parent = open.peekFirst();
      if (parent == null) {
        root = value;
        break;
      }
      if (parent instanceof ObjectNode obj) {
        obj.set(fieldName, value);
      } else {
        ((ArrayNode) parent).add(value);
      }
      t = tokens.nextInside();
    }
    return root;
  }

  private static JsonNode integer(JsonTokens tokens) throws FormatException {
    String text = tokens.text();
    BigInteger v = new BigInteger(text);
    if (v.bitLength() < 32) {
      return JsonNodeFactory.instance.numberNode(v.intValue());
    }
    if (v.bitLength() < 64) {
      return JsonNodeFactory.instance.numberNode(v.longValue());
    }
    return JsonNodeFactory.instance.numberNode(v);
  }

  private static double doubleValue(JsonTokens tokens) throws FormatException {
    // Jackson has already checked the number's syntax and length; Double.parseDouble of a
    // JSON number cannot fail and never expands the exponent.
    return Double.parseDouble(tokens.text());
  }
}
