package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrictJsonTest {
  private static final Path FILE = Path.of("config.json");

  @Test
  void parse_nestedDocument_buildsTheTreeInOrder() throws Exception {
    JsonNode root =
        parse(
            "{\"b\":[1,2.5,\"x\",true,false,null,{}],\"a\":{\"k\":[[]]},"
                + "\"big\":123456789012345678901234567890,\"long\":4294967296}");
    assertThat(root.fieldNames()).toIterable().containsExactly("b", "a", "big", "long");
    assertThat(root.get("b").size()).isEqualTo(7);
    assertThat(root.get("b").get(0).intValue()).isEqualTo(1);
    assertThat(root.get("b").get(1).doubleValue()).isEqualTo(2.5);
    assertThat(root.get("b").get(2).textValue()).isEqualTo("x");
    assertThat(root.get("b").get(5).isNull()).isTrue();
    assertThat(root.get("a").get("k").get(0).isArray()).isTrue();
    assertThat(root.get("big").bigIntegerValue())
        .isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(root.get("long").canConvertToInt()).isFalse();
    assertThat(root.get("long").longValue()).isEqualTo(4294967296L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "\"s\"", "[]", "null", " {} "})
  void parse_anyRootValue_accepted(String json) throws Exception {
    assertThat(parse(json)).isNotNull();
  }

  @Test
  void parse_hugeExponent_becomesInfinityNotABigDecimal() throws Exception {
    assertThat(parse("[1e999999999]").get(0).doubleValue()).isInfinite();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"{\"a\":1,\"a\":1}", "{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", "[{\"a\":[],\"a\":{}}]"})
  void parse_duplicateKeyAtAnyLevel_duplicateKey(String json) {
    assertRule(json, "cfg-duplicate-key");
  }

  @Test
  void parse_sameKeyInSiblingObjects_accepted() throws Exception {
    assertThat(parse("[{\"a\":1},{\"a\":2}]").get(1).get("a").intValue()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "{", "{}}", "{} {}", "[1,]", "{\"a\":NaN}", "// c\n{}", "'a'"})
  void parse_malformedOrNonStandard_notJson(String json) {
    assertRule(json, "cfg-not-json");
  }

  @Test
  void parse_byteOrderMark_notJson() {
    assertRule("\ufeff{}", "cfg-not-json");
  }

  @Test
  void parse_invalidUtf8_notUtf8WithOffset() {
    byte[] bytes = "{\"ab\":1}".getBytes(StandardCharsets.UTF_8);
    bytes[3] = (byte) 0xc3; // a lead byte followed by an ASCII byte
    assertThatThrownBy(() -> StrictJson.parse(bytes, ParseLimits.defaults(), FILE, "cfg"))
        .isInstanceOfSatisfying(
            FormatException.class,
            e -> {
              assertThat(e.rule()).isEqualTo("cfg-not-utf8");
              assertThat(e.offset()).isEqualTo(3);
            });
  }

  @Test
  void parse_syntaxErrorAfterMultiByteText_offsetCountsBytes() {
    // "é" is two bytes: the stray ']' sits at byte 7, character 6.
    assertThatThrownBy(() -> parse("[\"\u00e9\", ]"))
        .isInstanceOfSatisfying(FormatException.class, e -> assertThat(e.offset()).isEqualTo(7));
  }

  @Test
  void parse_loneSurrogate_loneSurrogate() {
    assertRule("[\"\\udc00\"]", "cfg-lone-surrogate");
    assertRule("{\"\\ud800x\":1}", "cfg-lone-surrogate");
  }

  @Test
  void parse_nestingAtLimit_accepted() throws Exception {
    ParseLimits limits = ParseLimits.builder().maxJsonDepth(3).build();
    byte[] json = "[[[1]]]".getBytes(StandardCharsets.UTF_8);
    assertThat(StrictJson.parse(json, limits, FILE, "cfg").get(0).get(0).get(0).intValue())
        .isEqualTo(1);
  }

  @Test
  void parse_nestingAboveLimit_limitMaxJsonDepth() {
    ParseLimits limits = ParseLimits.builder().maxJsonDepth(3).build();
    byte[] json = "[[{\"a\":[1]}]]".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StrictJson.parse(json, limits, FILE, "cfg"))
        .isInstanceOfSatisfying(
            LimitExceededException.class,
            e -> {
              assertThat(e.rule()).isEqualTo("limit.max-json-depth");
              assertThat(e.value()).isEqualTo(4);
              assertThat(e.offset()).isEqualTo(7);
            });
  }

  @Test
  void parse_hundredThousandNestedArrays_limitNotStackOverflow() throws Exception {
    String json = "[".repeat(100_000) + "]".repeat(100_000);
    assertRule(json, "limit.max-json-depth");
    // With the limit lifted the tree is still built without recursion.
    ParseLimits unlimited = ParseLimits.builder().maxJsonDepth(Integer.MAX_VALUE).build();
    JsonNode node = StrictJson.parse(json.getBytes(StandardCharsets.UTF_8), unlimited, FILE, "cfg");
    int depth = 0;
    while (node.size() == 1) {
      node = node.get(0);
      depth++;
    }
    assertThat(depth).isEqualTo(99_999);
  }

  @Test
  void parse_numberOfThousandsOfDigits_tokenTooLong() {
    assertRule("[" + "7".repeat(5000) + "]", "cfg-token-too-long");
  }

  private static JsonNode parse(String json) throws FormatException {
    return StrictJson.parse(
        json.getBytes(StandardCharsets.UTF_8), ParseLimits.defaults(), FILE, "cfg");
  }

  private static void assertRule(String json, String rule) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(
            FormatException.class,
            e -> {
              assertThat(e.rule()).isEqualTo(rule);
              assertThat(e.getMessage()).doesNotContain("\n").startsWith("config.json: [" + rule);
            });
  }
}
