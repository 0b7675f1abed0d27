package dev.modelseal.oms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** DSSE pre-authentication encoding (PAE), and the faulty variant model-transparency 0.2 signed. */
final class Dsse {
  /** The only payload type OMS uses. */
  static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

  private Dsse() {}

  /**
   * {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}, lengths in decimal bytes,
   * over the raw payload bytes exactly as they appear (base64-decoded) in the envelope.
   */
  static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /**
   * What model-transparency 0.2 signed: {@code f"DSSEV1 {len(type)} {type} {len(payload)}
   * {payload}".encode()} where {@code payload} was a Python {@code bytes} object, so it appears as
   * its {@code repr}: {@code b'...'} with escapes.
   */
  static byte[] legacyPae(byte[] payload) {
    String head =
        "DSSEV1 "
            + IN_TOTO_PAYLOAD_TYPE.length()
            + " "
            + IN_TOTO_PAYLOAD_TYPE
            + " "
            + payload.length;
    return (head + " " + pythonBytesRepr(payload)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * CPython's {@code bytes.__repr__}: single quotes unless the value contains {@code '} but no
   * {@code "}; the chosen quote and backslash escaped; {@code \t \n \r} by name; other bytes
   * outside 0x20..0x7e as {@code \xhh} (lower-case hex).
   */
  static String pythonBytesRepr(byte[] b) {
    boolean single = false;
    boolean dbl = false;
    for (byte x : b) {
      single |= x == '\'';
      dbl |= x == '"';
    }
    char quote = single && !dbl ? '"' : '\'';
    StringBuilder sb = new StringBuilder(b.length + 8);
    sb.append('b').append(quote);
    for (byte x : b) {
      int c = x & 0xff;
      if (c == quote || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c < 0x20 || c >= 0x7f) {
        sb.append("\\x")
            .append(Character.forDigit(c >> 4, 16))
            .append(Character.forDigit(c & 15, 16));
      } else {
        sb.append((char) c);
      }
    }
    return sb.append(quote).toString();
  }
}
