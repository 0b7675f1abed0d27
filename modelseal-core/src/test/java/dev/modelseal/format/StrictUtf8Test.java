package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StrictUtf8Test {

  /** The JDK's decoder is strict too (no overlongs, surrogates or values above U+10FFFF). */
  private static boolean jdkAccepts(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
    } catch (CharacterCodingException e) {
      return false;
    }
    for (byte x : b) {
      if (x == 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void firstFlaw_randomBytes_agreesWithJdkDecoder() {
    Random random = new Random(42);
    int accepted = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] b = new byte[random.nextInt(24)];
      for (int j = 0; j < b.length; j++) {
        // Bias towards the interesting lead and continuation bytes.
        b[j] =
            (byte)
                switch (random.nextInt(4)) {
                  case 0 -> 0x80 + random.nextInt(0x40);
                  case 1 -> 0xc0 + random.nextInt(0x40);
                  case 2 -> random.nextInt(0x80);
                  default -> random.nextInt(256);
                };
      }
      boolean ours = StrictUtf8.firstFlaw(MemorySegment.ofArray(b), 0, b.length) < 0;
      assertThat(ours)
          .as("bytes %s", java.util.HexFormat.of().formatHex(b))
          .isEqualTo(jdkAccepts(b));
      accepted += ours ? 1 : 0;
    }
    assertThat(accepted).isPositive();
  }

  @Test
  void firstFlaw_longAsciiThenBadByte_reportsItsOffset() {
    byte[] b = ("x".repeat(37) + "\0").getBytes(StandardCharsets.US_ASCII);

    assertThat(StrictUtf8.firstFlaw(MemorySegment.ofArray(b), 0, b.length)).isEqualTo(37);
  }

  @Test
  void firstFlaw_validMultiByteText_minusOne() {
    byte[] b =
        "Grüße, 日本, 🦙 and plain ASCII that runs past eight bytes".getBytes(StandardCharsets.UTF_8);

    assertThat(StrictUtf8.firstFlaw(MemorySegment.ofArray(b), 0, b.length)).isEqualTo(-1);
  }

  @Test
  void firstFlaw_rangeInsideSegment_onlyChecksThatRange() {
    byte[] b = {(byte) 0xff, 'o', 'k', (byte) 0xff};

    assertThat(StrictUtf8.firstFlaw(MemorySegment.ofArray(b), 1, 2)).isEqualTo(-1);
    assertThat(StrictUtf8.firstFlaw(MemorySegment.ofArray(b), 1, 3)).isEqualTo(3);
  }
}
