package dev.modelseal.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DigestTest {
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void fromHex_lowerCase_roundTrips() {
    Digest d = Digest.fromHex(HashAlgorithm.SHA256, EMPTY_SHA256);
    assertThat(d.hex()).isEqualTo(EMPTY_SHA256);
    assertThat(d).isEqualTo(Digest.fromHex(HashAlgorithm.SHA256, EMPTY_SHA256));
    assertThat(d.toString()).isEqualTo("sha256:" + EMPTY_SHA256);
  }

  @Test
  void fromHex_upperCase_rejected() {
    assertThatThrownBy(
            () ->
                Digest.fromHex(
                    HashAlgorithm.SHA256, EMPTY_SHA256.toUpperCase(java.util.Locale.ROOT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower-case");
  }

  @Test
  void fromHex_wrongLength_rejected() {
    assertThatThrownBy(() -> Digest.fromHex(HashAlgorithm.SHA256, "abcd"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void of_copiesBytes_soLaterChangesDoNotLeakIn() {
    byte[] raw = new byte[32];
    Digest d = Digest.of(HashAlgorithm.SHA256, raw);
    raw[0] = 1;
    assertThat(d.toByteArray()[0]).isZero();
  }

  @Test
  void equals_differentAlgorithmSameBytes_notEqual() {
    byte[] raw = new byte[32];
    assertThat(Digest.of(HashAlgorithm.SHA256, raw))
        .isNotEqualTo(Digest.of(HashAlgorithm.BLAKE3, raw));
  }

  @Test
  void sha256OfConcatenation_twoDigests_sameAsMessageDigestOverTheirBytes() throws Exception {
    Digest a = Digest.fromHex(HashAlgorithm.SHA256, "ab".repeat(32));
    Digest b = Digest.fromHex(HashAlgorithm.SHA256, "0c".repeat(32));
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    md.update(a.toByteArray());
    md.update(b.toByteArray());
    assertThat(Digest.sha256OfConcatenation(java.util.List.of(a, b)))
        .isEqualTo(Digest.of(HashAlgorithm.SHA256, md.digest()));
    assertThat(Digest.sha256OfConcatenation(java.util.List.of()).hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}
