package dev.modelseal.format;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates one deflated zip member from the mapped archive with a hard cap: the member's declared
 * uncompressed size. It fails the moment the stream would produce a byte more, or ends short, or
 * leaves compressed bytes unused; so a deflate bomb costs at most the declared size, which the npy
 * header and {@link ParseLimits#maxZipTotalUncompressed()} bound. Every byte it produces goes into
 * a CRC-32 that {@link #finish} compares with the central directory's.
 */
final class MemberInflater implements AutoCloseable {
  /** Compressed bytes handed to the inflater at once. */
  private static final int INPUT_CHUNK = 1 << 20;

  private final MemorySegment compressed;
  private final long declared;
  private final Path file;
  private final String member;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private long fed;
  private MemorySegment input; // the chunk last handed to the inflater
  private long produced;

  /**
   * @param compressed the member's stored bytes (raw deflate)
   * @param declared the exact number of bytes the stream must inflate to
   */
  MemberInflater(MemorySegment compressed, long declared, Path file, String member) {
    this.compressed = compressed;
    this.declared = declared;
    this.file = file;
    this.member = member;
  }

  /** Bytes produced so far. */
  long produced() {
    return produced;
  }

  /**
   * Inflates up to {@code len} bytes into {@code dst}, never past the declared size.
   *
   * @return bytes produced (at least 1), or -1 once the declared size has been produced
   */
  int read(byte[] dst, int off, int len) throws FormatException {
    long room = declared - produced;
    if (room == 0) {
      return -1;
    }
    int want = (int) Math.min(len, room);
    while (true) {
      int n = inflate(dst, off, want);
      if (n > 0) {
        crc.update(dst, off, n);
        produced += n;
        return n;
      }
      if (inflater.finished()) {
        throw error(
            "npz.inflate-short",
            "deflate stream ends after " + produced + " bytes, the member declares " + declared);
      }
      feedOrFail();
    }
  }

  /** Reads exactly {@code len} bytes or fails. */
  void readFully(byte[] dst, int off, int len) throws FormatException {
    int done = 0;
    while (done < len) {
      int n = read(dst, off + done, len - done);
      if (n < 0) {
        throw new IllegalStateException("read past the declared size");
      }
      done += n;
    }
  }

  /**
   * Checks that the stream ends exactly at the declared size, that it used every compressed byte,
   * and that the CRC-32 of what it produced matches.
   */
  void finish(long expectedCrc) throws FormatException {
    if (produced != declared) {
      throw new IllegalStateException("finish() before the declared size was read");
    }
    byte[] probe = new byte[1];
    while (!inflater.finished()) {
      if (inflate(probe, 0, 1) > 0) {
        throw error(
            "npz.inflate-exceeds-declared-size",
            "deflate stream produces more than the declared " + declared + " bytes");
      }
      if (!inflater.finished()) {
        feedOrFail();
      }
    }
    long unused = inflater.getRemaining() + (compressed.byteSize() - fed);
    if (unused != 0) {
      throw error(
          "npz.deflate-trailing-data",
          unused + " compressed bytes follow the end of the deflate stream");
    }
    if (crc.getValue() != expectedCrc) {
      throw error(
          "npz.crc-mismatch",
          String.format(
              java.util.Locale.ROOT,
              "CRC-32 of the inflated member is %08x, the archive says %08x",
              crc.getValue(),
              expectedCrc));
    }
  }

  private int inflate(byte[] dst, int off, int len) throws FormatException {
    try {
      int n = inflater.inflate(dst, off, len);
      if (n == 0 && inflater.needsDictionary()) {
        throw error("npz.inflate-corrupt", "deflate stream asks for a preset dictionary");
      }
      return n;
    } catch (DataFormatException e) {
      throw error("npz.inflate-corrupt", "invalid deflate data: " + e.getMessage());
    }
  }

  /** Called when inflate() produced nothing: more input is the only way forward. */
  private void feedOrFail() throws FormatException {
    if (!inflater.needsInput()) {
      throw error("npz.inflate-corrupt", "deflate stream makes no progress");
    }
    if (fed == compressed.byteSize()) {
      throw error(
          "npz.inflate-truncated",
          "compressed data ends inside the deflate stream after "
              + produced
              + " of "
              + declared
              + " bytes");
    }
    if (input != null) {
      MappedPages.release(input); // wholly consumed: needsInput() said so
    }
    long n = Math.min(INPUT_CHUNK, compressed.byteSize() - fed);
    input = compressed.asSlice(fed, n);
    inflater.setInput(input.asByteBuffer());
    fed += n;
  }

  private FormatException error(String rule, String detail) {
    return new FormatException(rule, file, -1, member, detail);
  }

  @Override
  public void close() {
    inflater.end();
    if (input != null) {
      MappedPages.release(input);
    }
  }
}
