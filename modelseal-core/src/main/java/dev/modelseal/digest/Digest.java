package dev.modelseal.digest;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * An immutable digest value: algorithm plus bytes. Hex is strict lower case; {@link #equals} runs
 * in constant time; the byte array never escapes.
 */
public final class Digest {
  private static final HexFormat HEX = HexFormat.of();

  private final HashAlgorithm algorithm;
  private final byte[] bytes;

  private Digest(HashAlgorithm algorithm, byte[] bytes) {
    this.algorithm = algorithm;
    this.bytes = bytes;
  }

  /** Copies {@code bytes}, which must have the algorithm's length. */
  public static Digest of(HashAlgorithm algorithm, byte[] bytes) {
    Objects.requireNonNull(algorithm, "algorithm");
    if (bytes.length != algorithm.length()) {
      throw new IllegalArgumentException(
          algorithm.id() + " digest must be " + algorithm.length() + " bytes, got " + bytes.length);
    }
    return new Digest(algorithm, bytes.clone());
  }

  /**
   * Parses strict lower-case hex of exactly the algorithm's length.
   *
   * @throws IllegalArgumentException for upper case, odd length, wrong length or non-hex characters
   */
  public static Digest fromHex(HashAlgorithm algorithm, String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != algorithm.length() * 2) {
      throw new IllegalArgumentException(
          algorithm.id() + " digest must be " + algorithm.length() * 2 + " hex digits");
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException("digest is not lower-case hex");
      }
    }
    return new Digest(algorithm, HEX.parseHex(hex));
  }

  public HashAlgorithm algorithm() {
    return algorithm;
  }

  public int length() {
    return bytes.length;
  }

  /** A copy of the digest bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /**
   * SHA-256 over the raw bytes of {@code parts}, concatenated in the given order (the OMS root
   * digest). Computed by the hashing engine's SHA-256, not {@code MessageDigest}: setting up the
   * JDK's security providers would add about 15 ms to every {@code hash} run.
   */
  public static Digest sha256OfConcatenation(List<Digest> parts) {
    try (Sha256 sha = Sha256.create()) {
      for (Digest d : parts) {
        sha.update(d.bytes);
      }
      return new Digest(HashAlgorithm.SHA256, sha.finish());
    }
  }

  public String hex() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d
        && d.algorithm == algorithm
        && MessageDigest.isEqual(d.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** {@code sha256:<hex>}. */
  @Override
  public String toString() {
    return algorithm.id() + ":" + hex();
  }
}
