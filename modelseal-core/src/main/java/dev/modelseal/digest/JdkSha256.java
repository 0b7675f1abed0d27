package dev.modelseal.digest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 by the JDK (which uses the CPU's SHA extensions where present). Native memory is copied
 * through a small heap buffer that stays in the CPU cache.
 */
final class JdkSha256 implements Sha256 {
  private static final int CHUNK = 64 << 10;

  private final MessageDigest md;
  private byte[] chunk;

  JdkSha256() {
    this.md = newMessageDigest();
  }

  static MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  @Override
  public void update(MemorySegment data) {
    if (data.heapBase().orElse(null) instanceof byte[] array) {
      long base = data.address();
      md.update(array, Math.toIntExact(base), Math.toIntExact(data.byteSize()));
      return;
    }
    if (chunk == null) {
      chunk = new byte[CHUNK];
    }
    long size = data.byteSize();
    for (long pos = 0; pos < size; pos += CHUNK) {
      int n = (int) Math.min(CHUNK, size - pos);
      MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, chunk, 0, n);
      md.update(chunk, 0, n);
    }
  }

  @Override
  public void update(byte[] data) {
    md.update(data);
  }

  @Override
  public byte[] finish() {
    return md.digest();
  }

  @Override
  public void close() {}
}
