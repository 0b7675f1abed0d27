package dev.modelseal.digest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * SHA-256 by the system's OpenSSL libcrypto, called through the FFM API on native or heap memory in
 * place: no copy onto the Java heap, no JIT warm-up of a Java hash loop. Used only when the library
 * loads, native access is enabled for this code, and the self-test gives the known answers.
 *
 * <p>Only one C function is bound, {@code SHA256_Update}: every further function shape costs the
 * FFM runtime several milliseconds of code generation at start-up (four shapes took about 60 ms,
 * half of a small {@code hash} run). The context is the public {@code SHA256_CTX} of {@code
 * openssl/sha.h}, unchanged since OpenSSL 0.9.8 — {@code h[8], Nl, Nh, data[16], num, md_len},
 * 32-bit words — kept in a Java {@code int[]}: this class sets the initial value as {@code
 * SHA256_Init} does and appends the FIPS 180-4 padding itself as {@code SHA256_Final} does, then
 * reads {@code h}. A library whose layout differed fails the self-test and is not used.
 */
final class LibcryptoSha256 implements Sha256 {
  /** Library names tried in order; never an unversioned name on macOS, where that aborts. */
  private static final String[] LIBRARY_NAMES = {
    "libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"
  };

  /** {@code SHA256_CTX}: 8 state words, 2 length words, 16 block words, num, md_len. */
  private static final int CTX_WORDS = 28;

  private static final int NUM = 26;
  private static final int MD_LEN = 27;

  /** FIPS 180-4, 5.3.3. */
  private static final int[] INITIAL_HASH = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  };

  private static final MethodHandle UPDATE;
  private static final String UNAVAILABLE;

  static {
    MethodHandle h = null;
    String why = null;
    try {
      h = bind();
      selfTest(h);
    } catch (RuntimeException | LinkageError e) {
      h = null;
      why = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    UPDATE = h;
    UNAVAILABLE = why;
  }

  private final MethodHandle update;
  private final int[] ctx = new int[CTX_WORDS];
  private long length;
  private boolean finished;

  private LibcryptoSha256(MethodHandle update) {
    this.update = update;
    System.arraycopy(INITIAL_HASH, 0, ctx, 0, INITIAL_HASH.length);
    ctx[MD_LEN] = LENGTH;
  }

  static boolean available() {
    return UPDATE != null;
  }

  /** Why libcrypto is not used, or null when it is. */
  static String why() {
    return UNAVAILABLE;
  }

  static LibcryptoSha256 create() {
    return new LibcryptoSha256(UPDATE);
  }

  @Override
  public void update(MemorySegment data) {
    if (finished) {
      throw new IllegalStateException("SHA-256 already finished");
    }
    if (data.byteSize() == 0) {
      return;
    }
    call(update, ctx, data);
    length += data.byteSize();
  }

  @Override
  public byte[] finish() {
    if (finished) {
      throw new IllegalStateException("SHA-256 already finished");
    }
    finished = true;
    // 0x80, zeros up to 56 mod 64, then the message length in bits, big-endian (FIPS 180-4, 5.1.1).
    int rem = (int) (length & 63);
    byte[] pad = new byte[(rem < 56 ? 64 : 128) - rem];
    pad[0] = (byte) 0x80;
    long bits = length << 3;
    for (int i = 0; i < 8; i++) {
      pad[pad.length - 1 - i] = (byte) (bits >>> (8 * i));
    }
    call(update, ctx, MemorySegment.ofArray(pad));
    if (ctx[NUM] != 0) {
      throw new IllegalStateException("libcrypto SHA256_CTX is not laid out as expected");
    }
    byte[] out = new byte[LENGTH];
    for (int i = 0; i < 8; i++) {
      int w = ctx[i];
      out[4 * i] = (byte) (w >>> 24);
      out[4 * i + 1] = (byte) (w >>> 16);
      out[4 * i + 2] = (byte) (w >>> 8);
      out[4 * i + 3] = (byte) w;
    }
    Arrays.fill(ctx, 0);
    return out;
  }

  /** Nothing native to release: the context lives on the Java heap. */
  @Override
  public void close() {}

  private static void call(MethodHandle update, int[] ctx, MemorySegment data) {
    int ok;
    try {
      ok = (int) update.invokeExact(MemorySegment.ofArray(ctx), data, data.byteSize());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    if (ok != 1) {
      throw new IllegalStateException("SHA256_Update failed");
    }
  }

  /**
   * FIPS 180-2 answers for one and two blocks, the latter in two uneven updates, so that a wrong
   * binding or context layout cannot go unnoticed.
   */
  private static void selfTest(MethodHandle update) {
    check(update, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
    check(
        update,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        "abcdbcdecdefdefgefgh",
        "fghighijhijkijkljklmklmnlmnomnopnopq");
  }

  private static void check(MethodHandle update, String expected, String... parts) {
    LibcryptoSha256 s = new LibcryptoSha256(update);
    for (String p : parts) {
      s.update(MemorySegment.ofArray(p.getBytes(StandardCharsets.US_ASCII)));
    }
    if (!HexFormat.of().formatHex(s.finish()).equals(expected)) {
      throw new IllegalStateException("libcrypto SHA-256 self-test failed");
    }
  }

  // Binding a C function is what this class is for; native access is checked first.
  @SuppressWarnings("restricted")
  private static MethodHandle bind() {
    if (!LibcryptoSha256.class.getModule().isNativeAccessEnabled()) {
      throw new IllegalStateException("native access is not enabled (--enable-native-access)");
    }
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      throw new IllegalStateException("libcrypto is only looked up on Linux");
    }
    SymbolLookup lib = null;
    for (String name : LIBRARY_NAMES) {
      try {
        lib = SymbolLookup.libraryLookup(name, Arena.global());
        break;
      } catch (IllegalArgumentException notFound) {
        // try the next name
      }
    }
    if (lib == null) {
      throw new IllegalStateException("libcrypto not found");
    }
    MemorySegment fn =
        lib.find("SHA256_Update")
            .orElseThrow(() -> new IllegalStateException("libcrypto lacks SHA256_Update"));
    // Critical: an update gets at most one engine window (about a millisecond of work), so no
    // thread-state transition is needed, and heap arrays (the context) are passed in place.
    return Linker.nativeLinker()
        .downcallHandle(
            fn,
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG),
            Linker.Option.critical(true));
  }
}
