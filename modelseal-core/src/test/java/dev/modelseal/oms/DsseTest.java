package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** PAE byte layout and model-transparency 0.2's Python-bytes-literal variant. */
class DsseTest {
  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void pae_countsBytesNotCharacters() {
    byte[] payload = "{\"n\":\"é\"}".getBytes(StandardCharsets.UTF_8); // 10 bytes, 9 chars
    assertThat(str(Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, payload)))
        .isEqualTo("DSSEv1 28 application/vnd.in-toto+json 10 {\"n\":\"é\"}");
  }

  @Test
  void pae_emptyPayload_endsWithSpace() {
    assertThat(str(Dsse.pae("t", new byte[0]))).isEqualTo("DSSEv1 1 t 0 ");
  }

  @Test
  void legacyPae_writesPayloadAsPythonBytesLiteral() {
    byte[] payload = "{\n  \"a\": 1\n}".getBytes(StandardCharsets.UTF_8);
    assertThat(str(Dsse.legacyPae(payload)))
        .isEqualTo("DSSEV1 28 application/vnd.in-toto+json 12 b'{\\n  \"a\": 1\\n}'");
  }

  @Test
  void pythonBytesRepr_matchesCpythonQuotingAndEscapes() {
    assertThat(Dsse.pythonBytesRepr("a'b".getBytes(StandardCharsets.UTF_8))).isEqualTo("b\"a'b\"");
    assertThat(Dsse.pythonBytesRepr("a'\"b".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("b'a\\'\"b'");
    assertThat(
            Dsse.pythonBytesRepr(new byte[] {'\\', '\t', '\r', 0, 0x7f, (byte) 0xc3, (byte) 0xa9}))
        .isEqualTo("b'\\\\\\t\\r\\x00\\x7f\\xc3\\xa9'");
    assertThat(Dsse.pythonBytesRepr(new byte[0])).isEqualTo("b''");
  }
}
