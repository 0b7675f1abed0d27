package dev.modelseal.guard;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Anonymous memory for {@code VERIFIED_COPY}: pages no file backs, so nobody who can write the
 * model's storage can reach them. On Linux with native access enabled the pages come straight from
 * {@code mmap(MAP_PRIVATE | MAP_ANONYMOUS)}, which the kernel zeroes once on first touch (the read
 * that fills them), with transparent huge pages asked for; otherwise from the arena ({@link
 * Arena#allocate} zeroes them a second time, which costs a pass over the model). Either way the
 * segment belongs to {@code arena}: closing it unmaps the pages and makes every slice handed out
 * fail on access.
 */
final class PrivateMemory {
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_PRIVATE = 2;
  private static final int MAP_ANONYMOUS = 0x20;
  private static final int MADV_HUGEPAGE = 14;

  private PrivateMemory() {}

  /** {@code size} bytes (at least one) of private memory owned by {@code arena}. */
  @SuppressWarnings("restricted") // the mapping is exactly n bytes and unmapped once, by the arena
  static MemorySegment allocate(Arena arena, long size) {
    long n = Math.max(1, size);
    Native nat = Native.INSTANCE;
    if (nat != null) {
      MemorySegment m = nat.map(n);
      if (m != null) {
        return m.reinterpret(n, arena, s -> nat.unmap(s, n)).asSlice(0, size);
      }
    }
    return arena.allocate(n, 4096).asSlice(0, size);
  }

  /** The libc calls, bound once; null when they are not available. */
  private static final class Native {
    static final Native INSTANCE = bind();

    private final MethodHandle mmap;
    private final MethodHandle munmap;
    private final MethodHandle madvise;

    private Native(MethodHandle mmap, MethodHandle munmap, MethodHandle madvise) {
      this.mmap = mmap;
      this.munmap = munmap;
      this.madvise = madvise;
    }

    @SuppressWarnings("restricted") // signatures as in mmap(2), munmap(2), madvise(2)
    private static Native bind() {
      if (!PrivateMemory.class.getModule().isNativeAccessEnabled()
          || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
        return null;
      }
      try {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MethodHandle mmap =
            linker.downcallHandle(
                libc.findOrThrow("mmap"),
                FunctionDescriptor.of(
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG));
        MethodHandle munmap =
            linker.downcallHandle(
                libc.findOrThrow("munmap"),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        MethodHandle madvise =
            linker.downcallHandle(
                libc.findOrThrow("madvise"),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
        return new Native(mmap, munmap, madvise);
      } catch (RuntimeException | LinkageError e) {
        return null;
      }
    }

    /** A fresh mapping, or null when mmap refused (the caller falls back to the arena). */
    MemorySegment map(long n) {
      try {
        MemorySegment m =
            (MemorySegment)
                mmap.invokeExact(
                    MemorySegment.NULL,
                    n,
                    PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS,
                    -1,
                    0L);
        if (m.address() == -1L || m.address() == 0L) {
          return null;
        }
        // Advice only: fewer page faults for a large model; failure changes nothing.
        int unused = (int) madvise.invokeExact(m, n, MADV_HUGEPAGE);
        return m;
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    void unmap(MemorySegment s, long n) {
      try {
        int unused = (int) munmap.invokeExact(MemorySegment.ofAddress(s.address()), n);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }
}
