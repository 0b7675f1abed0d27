package dev.modelseal.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class Sha256Test {
  private static final HexFormat HEX = HexFormat.of();

  private static List<Supplier<Sha256>> implementations() {
    return LibcryptoSha256.available()
        ? List.of(JdkSha256::new, LibcryptoSha256::create)
        : List.of(JdkSha256::new);
  }

  @Test
  void finish_knownAnswers_matchFips180() {
    for (Supplier<Sha256> impl : implementations()) {
      try (Sha256 s = impl.get()) {
        assertThat(HEX.formatHex(s.finish()))
            .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      }
      try (Sha256 s = impl.get()) {
        s.update("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(HEX.formatHex(s.finish()))
            .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      }
      try (Sha256 s = impl.get();
          Arena arena = Arena.ofConfined()) {
        MemorySegment a = arena.allocate(1000);
        a.fill((byte) 'a');
        for (int i = 0; i < 1000; i++) {
          s.update(a);
        }
        assertThat(HEX.formatHex(s.finish()))
            .isEqualTo("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
      }
    }
  }

  @Test
  void update_nativeHeapReadOnlyAndSlicedSegments_sameAsMessageDigest() throws Exception {
    byte[] data = new byte[300_001];
    new Random(11).nextBytes(data);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(data);
    String expected = HEX.formatHex(md.digest());
    for (Supplier<Sha256> impl : implementations()) {
      try (Sha256 s = impl.get();
          Arena arena = Arena.ofConfined()) {
        MemorySegment nat = arena.allocate(100_000);
        MemorySegment.copy(data, 0, nat, ValueLayout.JAVA_BYTE, 0, 100_000);
        s.update(nat);
        s.update(MemorySegment.ofArray(data).asSlice(100_000, 100_000));
        s.update(MemorySegment.ofBuffer(ByteBuffer.wrap(data, 200_000, 50_000).asReadOnlyBuffer()));
        ByteBuffer direct = ByteBuffer.allocateDirect(50_001).put(data, 250_000, 50_001).flip();
        s.update(MemorySegment.ofBuffer(direct.asReadOnlyBuffer()));
        s.update(MemorySegment.ofArray(new byte[0]));
        assertThat(HEX.formatHex(s.finish())).isEqualTo(expected);
      }
    }
  }

  @Test
  void finish_everyLengthAroundThePaddingBoundaries_sameAsMessageDigest() throws Exception {
    // The libcrypto binding pads the message itself: lengths 55, 56, 63, 64, 119, 120 ... decide
    // whether the length fits in the last block.
    byte[] data = new byte[300];
    new Random(3).nextBytes(data);
    for (Supplier<Sha256> impl : implementations()) {
      for (int n = 0; n <= data.length; n++) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data, 0, n);
        String expected = HEX.formatHex(md.digest());
        int cut = n / 3;
        try (Sha256 s = impl.get()) {
          s.update(MemorySegment.ofArray(data).asSlice(0, cut));
          s.update(MemorySegment.ofArray(data).asSlice(cut, n - cut));
          assertThat(HEX.formatHex(s.finish())).as("length %d", n).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void libcrypto_updateOrFinishAfterFinish_throws() {
    assumeTrue(LibcryptoSha256.available(), "libcrypto absent");
    try (Sha256 s = LibcryptoSha256.create()) {
      s.finish();
      org.assertj.core.api.Assertions.assertThatIllegalStateException()
          .isThrownBy(() -> s.update(new byte[1]));
      org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(s::finish);
    }
  }

  @Test
  void libcrypto_whenPresent_isChosenUnlessTheJdkIsAskedFor() {
    assumeTrue(LibcryptoSha256.available(), "libcrypto absent: nothing to choose");
    String wanted = System.getProperty(Sha256.PROPERTY, "auto");
    assertThat(Sha256.implementation()).isEqualTo(wanted.equals("jdk") ? "jdk" : "libcrypto");
  }
}
