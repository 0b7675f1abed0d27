package dev.modelseal.digest;

import java.util.Optional;

/** Hash algorithms named by OMS; {@code sha256} is required, the others optional. */
public enum HashAlgorithm {
  SHA256("sha256", 32),
  BLAKE2B("blake2b", 64),
  BLAKE3("blake3", 32);

  private final String id;
  private final int length;

  HashAlgorithm(String id, int length) {
    this.id = id;
    this.length = length;
  }

  /** The OMS name, e.g. {@code sha256}. */
  public String id() {
    return id;
  }

  /** Digest length in bytes. */
  public int length() {
    return length;
  }

  public static Optional<HashAlgorithm> byId(String id) {
    for (HashAlgorithm a : values()) {
      if (a.id.equals(id)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
