package dev.modelseal.format;

import java.lang.foreign.MemorySegment;

/**
 * Keeps streaming reads of mapped files from growing the process's resident memory. Every touched
 * page of a mapping counts as resident until it is unmapped, so reading a 4 GiB tensor through the
 * file mapping would show 4 GiB of RSS. The readers hand such pages back once the bytes have gone
 * to their sink ({@link MemorySegment#unload}: the page-table entries go, the page cache stays, a
 * later read simply faults the page in again). Heap and native buffers are left alone.
 */
final class MappedPages {
  /** How much a sequential reader streams between two releases. */
  static final long RELEASE_BYTES = 8 << 20;

  private MappedPages() {}

  /** Releases the pages behind {@code bytes} if they are mapped from a file. */
  static void release(MemorySegment bytes) {
    if (bytes.isMapped() && bytes.byteSize() > 0) {
      bytes.unload();
    }
  }
}
