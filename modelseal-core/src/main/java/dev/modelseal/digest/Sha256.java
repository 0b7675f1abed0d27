package dev.modelseal.digest;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * One single-use SHA-256 computation. Data can come from native memory (mapped file windows, direct
 * buffers) without being copied onto the Java heap. An instance is used by one thread at a time;
 * the hashing engine may hand it from one thread to another between updates (the fork/join
 * hand-over orders the accesses).
 *
 * <p>Two implementations: the system's OpenSSL {@code libcrypto}, called through the FFM API
 * directly on mapped memory, and the JDK's {@code MessageDigest} as the fallback when libcrypto is
 * absent, native access is not enabled, or {@code -Dmodelseal.sha256=jdk} asks for it.
 */
sealed interface Sha256 extends AutoCloseable permits LibcryptoSha256, JdkSha256 {

  /**
   * System property choosing the implementation: {@code auto} (default), {@code libcrypto}, {@code
   * jdk}.
   */
  String PROPERTY = "modelseal.sha256";

  /** Digest length in bytes. */
  int LENGTH = 32;

  /** A fresh computation with the implementation chosen once per process. */
  static Sha256 create() {
    return Choice.LIBCRYPTO ? LibcryptoSha256.create() : new JdkSha256();
  }

  /** {@code libcrypto} or {@code jdk}: which implementation {@link #create} uses. */
  static String implementation() {
    return Choice.LIBCRYPTO ? "libcrypto" : "jdk";
  }

  /** Hashes the whole segment (heap or native). */
  void update(MemorySegment data);

  default void update(byte[] data) {
    update(MemorySegment.ofArray(data));
  }

  /** Completes the computation; the instance must not be updated afterwards. */
  byte[] finish();

  /** Releases native resources; idempotent. */
  @Override
  void close();

  /** Decides once, at first use, which implementation to use. */
  final class Choice {
    static final boolean LIBCRYPTO = choose();

    private Choice() {}

    private static boolean choose() {
      String wanted = System.getProperty(PROPERTY, "auto").toLowerCase(Locale.ROOT);
      return switch (wanted) {
        case "jdk" -> false;
        case "libcrypto" -> {
          if (!LibcryptoSha256.available()) {
            throw new IllegalStateException(
                PROPERTY + "=libcrypto, but libcrypto cannot be used: " + LibcryptoSha256.why());
          }
          yield true;
        }
        default -> LibcryptoSha256.available();
      };
    }
  }
}
