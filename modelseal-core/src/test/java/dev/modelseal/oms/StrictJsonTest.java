package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.modelseal.format.ParseLimits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
  private static final String RULE = "test.malformed";

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static VerificationException rejects(StrictJson json, byte[] doc) {
    VerificationException e =
        catchThrowableOfType(
            VerificationException.class, () -> json.parseObject(doc, "the document", RULE));
    assertThat(e).as("rejected").isNotNull();
    assertThat(e.rule()).isEqualTo(RULE);
    return e;
  }

  @Test
  void parseObject_invalidUtf8InAKey_rejected() {
    assertThat(
            rejects(new StrictJson(ParseLimits.defaults()), latin1("{\"predicateTyp\u00ffe\":1}"))
                .getMessage())
        .contains("UTF-8");
  }

  @Test
  void parseObject_invalidUtf8InAKeyOnceTheValidKeyWasSeen_stillRejected() throws Exception {
    // Jackson's byte parser looks names up by their raw bytes in a symbol table shared by every
    // parse of one factory, and read this key as "predicateType" once that name was known.
    StrictJson json = new StrictJson(ParseLimits.defaults());
    json.parseObject(latin1("{\"predicateType\":1}"), "the document", RULE);
    rejects(json, latin1("{\"predicateTyp\u00ffe\":1}"));
  }

  @Test
  void parseObject_invalidUtf8InAValue_rejected() {
    rejects(new StrictJson(ParseLimits.defaults()), latin1("{\"a\":\"\u00c3\"}"));
  }

  @Test
  void parseObject_overlongUtf8_rejected() {
    // 0xc0 0xaf is an overlong '/'.
    rejects(new StrictJson(ParseLimits.defaults()), latin1("{\"a\":\"\u00c0\u00af\"}"));
  }

  @Test
  void parseObject_nonAsciiKey_keptExactly() throws Exception {
    StrictJson json = new StrictJson(ParseLimits.defaults());
    assertThat(
            json.parseObject(
                    "{\"größe\":\"\uD83D\uDC4D\"}".getBytes(StandardCharsets.UTF_8), "d", RULE)
                .get("größe")
                .textValue())
        .isEqualTo("\uD83D\uDC4D");
  }

  @Test
  void parseObject_leadingByteOrderMark_skipped() throws Exception {
    byte[] doc = "\uFEFF{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(
            new StrictJson(ParseLimits.defaults()).parseObject(doc, "d", RULE).get("a").intValue())
        .isEqualTo(1);
  }
}
