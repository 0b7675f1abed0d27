package dev.modelseal.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small JSON Schema (2020-12) checker for the features the OMS schemas use: type, const, enum,
 * pattern, minLength, minItems, maxItems, minProperties, exclusiveMinimum, required, properties,
 * additionalProperties, items, anyOf, if/then and $ref (local {@code #/$defs/...} and other schemas
 * by {@code $id}). Test-only; returns every violation with its JSON pointer.
 */
final class SchemaCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, JsonNode> byId = new HashMap<>();

  SchemaCheck(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JsonNode s = JSON.readTree(p.toFile());
        byId.put(s.get("$id").asText(), s);
      }
    }
  }

  List<String> validate(String schemaId, JsonNode instance) {
    List<String> errors = new ArrayList<>();
    JsonNode root = byId.get(schemaId);
    if (root == null) {
      throw new IllegalArgumentException("no schema " + schemaId);
    }
    check(root, root, instance, "", errors);
    return errors;
  }

  private void check(JsonNode root, JsonNode s, JsonNode v, String at, List<String> errors) {
    if (s.has("$ref")) {
      String ref = s.get("$ref").asText();
      JsonNode target;
      JsonNode targetRoot = root;
      if (ref.startsWith("#")) {
        target = root.at(ref.substring(1));
      } else {
        targetRoot = byId.get(ref);
        target = targetRoot;
      }
      if (target == null || target.isMissingNode()) {
        throw new IllegalArgumentException("unresolved $ref " + ref);
      }
      check(targetRoot, target, v, at, errors);
    }
    if (s.has("type") && !typeMatches(s.get("type"), v)) {
      errors.add(at + ": type is not " + s.get("type"));
      return;
    }
    if (s.has("const") && !s.get("const").equals(v)) {
      errors.add(at + ": not " + s.get("const"));
    }
    if (s.has("enum")) {
      boolean any = false;
      for (JsonNode e : s.get("enum")) {
        any |= e.equals(v);
      }
      if (!any) {
        errors.add(at + ": not one of " + s.get("enum"));
      }
    }
    if (v.isTextual()) {
      if (s.has("pattern")
          && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
        errors.add(at + ": does not match " + s.get("pattern"));
      }
      if (s.has("minLength")
          && v.asText().codePointCount(0, v.asText().length()) < s.get("minLength").asInt()) {
        errors.add(at + ": shorter than " + s.get("minLength"));
      }
    }
    if (v.isNumber()
        && s.has("exclusiveMinimum")
        && v.decimalValue().compareTo(s.get("exclusiveMinimum").decimalValue()) <= 0) {
      errors.add(at + ": not above " + s.get("exclusiveMinimum"));
    }
    if (v.isArray()) {
      if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
        errors.add(at + ": fewer than " + s.get("minItems") + " items");
      }
      if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
        errors.add(at + ": more than " + s.get("maxItems") + " items");
      }
      if (s.has("items")) {
        for (int i = 0; i < v.size(); i++) {
          check(root, s.get("items"), v.get(i), at + "/" + i, errors);
        }
      }
    }
    if (v.isObject()) {
      if (s.has("minProperties") && v.size() < s.get("minProperties").asInt()) {
        errors.add(at + ": fewer than " + s.get("minProperties") + " properties");
      }
      if (s.has("required")) {
        for (JsonNode r : s.get("required")) {
          if (!v.has(r.asText())) {
            errors.add(at + ": lacks required " + r.asText());
          }
        }
      }
      JsonNode props = s.get("properties");
      for (Map.Entry<String, JsonNode> f : v.properties()) {
        String p = at + "/" + f.getKey();
        if (props != null && props.has(f.getKey())) {
          check(root, props.get(f.getKey()), f.getValue(), p, errors);
        } else if (s.has("additionalProperties")) {
          JsonNode ap = s.get("additionalProperties");
          if (ap.isBoolean() && !ap.asBoolean()) {
            errors.add(p + ": additional property not allowed");
          } else if (ap.isObject()) {
            check(root, ap, f.getValue(), p, errors);
          }
        }
      }
    }
    if (s.has("anyOf")) {
      boolean any = false;
      for (JsonNode alt : s.get("anyOf")) {
        List<String> sub = new ArrayList<>();
        check(root, alt, v, at, sub);
        any |= sub.isEmpty();
      }
      if (!any) {
        errors.add(at + ": matches none of anyOf");
      }
    }
    if (s.has("if")) {
      List<String> cond = new ArrayList<>();
      check(root, s.get("if"), v, at, cond);
      if (cond.isEmpty() && s.has("then")) {
        check(root, s.get("then"), v, at, errors);
      }
    }
  }

  private static boolean typeMatches(JsonNode type, JsonNode v) {
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (typeMatches(t, v)) {
          return true;
        }
      }
      return false;
    }
    return switch (type.asText()) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "boolean" -> v.isBoolean();
      case "null" -> v.isNull();
      case "integer" ->
          v.isIntegralNumber()
              || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
      case "number" -> v.isNumber();
      default -> throw new IllegalArgumentException("type " + type);
    };
  }
}
