package dev.modelseal.scan;

import dev.modelseal.format.DecompressedStream;
import dev.modelseal.format.LimitExceededException;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Compressed streams that wrap pickles (joblib's {@code compress=}, pandas' {@code to_pickle} with
 * {@code .gz}, {@code torch.save} to a gzip file), recognised by their magic bytes whatever the
 * file is called. gzip (every member) and zlib are decompressed with the bounds of {@link
 * DecompressedStream} and the output is scanned like a file of its own; bzip2, xz, legacy lzma, lz4
 * and zstd have no decoder in the JDK, and rather than add one this component reports them at high
 * as a compressed container that cannot be inspected and may hold a pickle.
 */
final class CompressedStreamScanner implements ContentScanner {
  private enum Kind {
    GZIP("gzip"),
    ZLIB("zlib"),
    BZIP2("bzip2"),
    XZ("xz"),
    LZMA("lzma"),
    LZ4("lz4"),
    ZSTD("zstd");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  @Override
  public boolean identifies(Content c) {
    return kind(c) != null;
  }

  private static Kind kind(Content c) {
    int b0 = c.byteAt(0);
    int b1 = c.byteAt(1);
    if (b0 == 0x1f && b1 == 0x8b && c.byteAt(2) == 8) {
      return Kind.GZIP;
    }
    if (c.byteAt(0) == 'B'
        && b1 == 'Z'
        && c.byteAt(2) == 'h'
        && c.byteAt(3) >= '1'
        && c.byteAt(3) <= '9'
        && (matches(c, 4, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59)
            || matches(c, 4, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90))) {
      return Kind.BZIP2;
    }
    if (matches(c, 0, 0xfd, '7', 'z', 'X', 'Z', 0)) {
      return Kind.XZ;
    }
    if (matches(c, 0, 0x04, 0x22, 0x4d, 0x18)) {
      return Kind.LZ4;
    }
    if (matches(c, 0, 0x28, 0xb5, 0x2f, 0xfd)) {
      return Kind.ZSTD;
    }
    if (lzmaAlone(c)) {
      return Kind.LZMA;
    }
    if (zlib(c)) {
      return Kind.ZLIB;
    }
    return null;
  }

  private static boolean matches(Content c, long at, int... bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (c.byteAt(at + i) != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The legacy {@code .lzma} header liblzma's auto decoder (Python's default) accepts: properties
   * below 225, a dictionary size of 2^n or 2^n + 2^(n-1), an unknown or plausible length.
   */
  private static boolean lzmaAlone(Content c) {
    if (c.size() < 13 || c.byteAt(0) >= 225) {
      return false;
    }
    long dict = 0;
    for (int i = 4; i >= 1; i--) {
      dict = (dict << 8) | c.byteAt(i);
    }
    long low = Long.highestOneBit(dict);
    if (dict == 0 || (dict != low && dict != low + (low >> 1))) {
      return false;
    }
    boolean unknown = true;
    long length = 0;
    for (int i = 12; i >= 5; i--) {
      unknown &= c.byteAt(i) == 0xff;
      length = (length << 8) | c.byteAt(i);
    }
    return unknown || (length >= 0 && length < (1L << 38));
  }

  /** A valid zlib header whose first bytes inflate (a header alone collides with text). */
  private static boolean zlib(Content c) {
    int b0 = c.byteAt(0);
    int b1 = c.byteAt(1);
    if (b0 < 0 || b1 < 0 || (b0 & 0x0f) != 8 || (b0 >> 4) > 7 || ((b0 << 8) | b1) % 31 != 0) {
      return false;
    }
    if ((b1 & 0x20) != 0) {
      return false; // preset dictionary: nothing (Python's zlib included) can read it without it
    }
    Inflater inf = new Inflater();
    try {
      inf.setInput(c.data().asSlice(0, Math.min(c.size(), 4096)).asByteBuffer());
      int got = inf.inflate(new byte[1024]);
      return got > 0 || inf.finished();
    } catch (DataFormatException e) {
      return false;
    } finally {
      inf.end();
    }
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    Kind kind = kind(c);
    Findings out = ctx.findings();
    if (kind != Kind.GZIP && kind != Kind.ZLIB) {
      out.add(
          "compressed.uninspectable",
          Severity.HIGH,
          c.where(),
          kind.label,
          kind.label
              + " stream cannot be inspected by this component and may hold a pickle (joblib,"
              + " pandas and torch.load read it)");
      return Outcome.skipped(kind.label, kind.label + " is not decompressed by this component");
    }
    if (c.depth() >= ScanContext.MAX_ARCHIVE_DEPTH) {
      out.add(
          "zip.nested-too-deep",
          Severity.LOW,
          c.where(),
          "",
          "compressed stream nested more than " + ScanContext.MAX_ARCHIVE_DEPTH + " deep");
      return Outcome.skipped(kind.label, "nested too deep");
    }
    String where = Findings.at(c.where(), kind.label);
    DecompressedStream.Format format =
        kind == Kind.GZIP ? DecompressedStream.Format.GZIP : DecompressedStream.Format.ZLIB;
    try (DecompressedStream d = DecompressedStream.read(format, c.data(), ctx.limits(), where)) {
      boolean damaged = false;
      for (DecompressedStream.Note n : d.notes()) {
        boolean bad =
            !n.rule().equals("compressed.trailing-data")
                && !n.rule().equals("compressed.crc-mismatch");
        damaged |= bad;
        out.add(
            n.rule(),
            bad ? Severity.HIGH : Severity.MEDIUM,
            Findings.at(where, "offset " + n.offset()),
            "",
            n.detail()
                + (bad
                    ? ": the bytes before the damage were scanned (a reader hands them on)"
                    : ""));
      }
      Content inner = new Content(innerName(c), d.data(), where, c.depth() + 1, "");
      Outcome o = ctx.dispatch(inner);
      FileStatus status = damaged ? FileStatus.FAILED : o.status();
      String reason = damaged ? kind.label + " stream is damaged" : o.reason();
      return new Outcome(kind.label + "+" + o.kind(), status, reason);
    } catch (LimitExceededException e) {
      out.add(e.rule(), Severity.HIGH, where, "", "not decompressed: " + e.getMessage());
      return Outcome.failed(kind.label, e.rule());
    } catch (IOException e) {
      return Outcome.failed(kind.label, "scratch file for decompression failed: " + e.getMessage());
    }
  }

  /** {@code model.pkl.gz} holds {@code model.pkl}; other names are kept. */
  private static String innerName(Content c) {
    String n = c.name();
    for (String suffix : new String[] {".gz", ".gzip", ".z", ".zlib"}) {
      if (n.length() > suffix.length()
          && n.regionMatches(true, n.length() - suffix.length(), suffix, 0, suffix.length())) {
        return n.substring(0, n.length() - suffix.length());
      }
    }
    return n;
  }
}
