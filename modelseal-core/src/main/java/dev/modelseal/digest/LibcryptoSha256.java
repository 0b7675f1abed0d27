package dev.modelseal.digest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * SHA-256 by the system's OpenSSL libcrypto ({@code EVP_Digest*}), called through the FFM API. It
 * hashes mapped file windows in place: no copy onto the Java heap, no JIT warm-up of a Java hash
 * loop. Used only when the library loads, native access is enabled for this code, and a self-test
 * gives the known answer.
 */
final class LibcryptoSha256 implements Sha256 {
  /** Library names tried in order; never an unversioned name on macOS, where that aborts. */
  private static final String[] LIBRARY_NAMES = {
    "libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"
  };

  private static final Handles HANDLES;
  private static final String UNAVAILABLE;

  static {
    Handles h = null;
    String why = null;
    try {
      h = Handles.load();
      selfTest(h);
    } catch (RuntimeException | LinkageError e) {
      h = null;
      why = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    HANDLES = h;
    UNAVAILABLE = why;
  }

  private final MemorySegment ctx;
  private boolean closed;

  private LibcryptoSha256(MemorySegment ctx) {
    this.ctx = ctx;
  }

  static boolean available() {
    return HANDLES != null;
  }

  /** Why libcrypto is not used, or null when it is. */
  static String why() {
    return UNAVAILABLE;
  }

  static LibcryptoSha256 create() {
    return new LibcryptoSha256(HANDLES.newContext());
  }

  @Override
  public void update(MemorySegment data) {
    if (data.byteSize() == 0) {
      return;
    }
    HANDLES.update(ctx, data);
  }

  @Override
  public byte[] finish() {
    return HANDLES.finish(ctx);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      HANDLES.free(ctx);
    }
  }

  /** Hashes "abc" and compares with FIPS 180-2's answer: a wrong binding must not go unnoticed. */
  private static void selfTest(Handles h) {
    MemorySegment c = h.newContext();
    try {
      h.update(
          c, MemorySegment.ofArray("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      String got = HexFormat.of().formatHex(h.finish(c));
      if (!got.equals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) {
        throw new IllegalStateException("libcrypto SHA-256 self-test failed");
      }
    } finally {
      h.free(c);
    }
  }

  /**
   * The bound libcrypto functions. Every call is short (an update gets at most one engine window,
   * about a millisecond of work), so all are critical downcalls: no thread-state transition, heap
   * arrays passed in place, and only four call shapes for the FFM runtime to generate at start-up.
   */
  private record Handles(
      MemorySegment sha256,
      MethodHandle ctxNew,
      MethodHandle ctxFree,
      MethodHandle init,
      MethodHandle update,
      MethodHandle digestFinal) {

    // Binding C functions is what this class is for; native access is checked first.
    @SuppressWarnings("restricted")
    static Handles load() {
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
      Linker linker = Linker.nativeLinker();
      ValueLayout addr = ValueLayout.ADDRESS;
      ValueLayout.OfInt i32 = ValueLayout.JAVA_INT;
      Linker.Option critical = Linker.Option.critical(true);
      FunctionDescriptor noArgs = FunctionDescriptor.of(addr);
      FunctionDescriptor threeAddresses = FunctionDescriptor.of(i32, addr, addr, addr);
      MethodHandle evpSha256 = linker.downcallHandle(find(lib, "EVP_sha256"), noArgs, critical);
      try {
        MemorySegment md = (MemorySegment) evpSha256.invokeExact();
        if (md.equals(MemorySegment.NULL)) {
          throw new IllegalStateException("EVP_sha256 returned NULL");
        }
        return new Handles(
            md,
            linker.downcallHandle(find(lib, "EVP_MD_CTX_new"), noArgs, critical),
            linker.downcallHandle(
                find(lib, "EVP_MD_CTX_free"), FunctionDescriptor.ofVoid(addr), critical),
            linker.downcallHandle(find(lib, "EVP_DigestInit_ex"), threeAddresses, critical),
            linker.downcallHandle(
                find(lib, "EVP_DigestUpdate"),
                FunctionDescriptor.of(i32, addr, addr, ValueLayout.JAVA_LONG),
                critical),
            linker.downcallHandle(find(lib, "EVP_DigestFinal_ex"), threeAddresses, critical));
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
      Optional<MemorySegment> s = lib.find(name);
      return s.orElseThrow(() -> new IllegalStateException("libcrypto lacks " + name));
    }

    MemorySegment newContext() {
      try {
        MemorySegment c = (MemorySegment) ctxNew.invokeExact();
        if (c.equals(MemorySegment.NULL)) {
          throw new OutOfMemoryError("EVP_MD_CTX_new returned NULL");
        }
        int ok = (int) init.invokeExact(c, sha256, MemorySegment.NULL);
        if (ok != 1) {
          ctxFree.invokeExact(c);
          throw new IllegalStateException("EVP_DigestInit_ex failed");
        }
        return c;
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    void update(MemorySegment c, MemorySegment data) {
      int ok;
      try {
        ok = (int) update.invokeExact(c, data, data.byteSize());
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      if (ok != 1) {
        throw new IllegalStateException("EVP_DigestUpdate failed");
      }
    }

    byte[] finish(MemorySegment c) {
      byte[] out = new byte[LENGTH];
      int ok;
      try {
        ok = (int) digestFinal.invokeExact(c, MemorySegment.ofArray(out), MemorySegment.NULL);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
      if (ok != 1) {
        throw new IllegalStateException("EVP_DigestFinal_ex failed");
      }
      return out;
    }

    void free(MemorySegment c) {
      try {
        ctxFree.invokeExact(c);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }
}
