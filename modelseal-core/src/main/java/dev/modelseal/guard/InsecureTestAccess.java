package dev.modelseal.guard;

import java.lang.foreign.ValueLayout;

/**
 * Test-only: corrupts a byte of a {@code VERIFIED_COPY} model's private copy in place, as a stray
 * write in the process would, so that a test can show the next re-verification reports it. Never
 * call this outside tests; its name is there to be found by grep.
 */
public final class InsecureTestAccess {
  private InsecureTestAccess() {}

  /**
   * Flips every bit of the byte at {@code offset} of {@code file}'s private copy.
   *
   * @throws UnsupportedOperationException in {@code MAPPED} mode (the mapping is read-only)
   */
  public static void flipByte(GuardedFile file, long offset) {
    if (file.mapped() != null || file.segment().isReadOnly()) {
      throw new UnsupportedOperationException("only a private copy can be corrupted");
    }
    byte b = file.segment().get(ValueLayout.JAVA_BYTE, offset);
    file.segment().set(ValueLayout.JAVA_BYTE, offset, (byte) ~b);
  }
}
