package dev.modelseal.format;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip (RFC 1952, every member of a multi-member file, as Python's {@code gzip} reads them) or
 * zlib (RFC 1950) stream decompressed with bounds: the output may not pass {@link
 * ParseLimits#maxDecompressedBytes()}, nor, once past {@link #RATIO_FLOOR} bytes, {@link
 * ParseLimits#maxDecompressionRatio()} times the compressed bytes consumed; either raises {@link
 * LimitExceededException} the moment it is crossed, so a bomb costs at most the cap. Output beyond
 * {@link #HEAP_BYTES} goes to a private {@link ScratchFile}, never to the heap.
 *
 * <p>A damaged stream is not an error here: Python's readers hand the bytes before the damage to
 * the unpickler, which runs them before the damage is noticed, so what was decompressed is kept and
 * the damage is recorded as a {@link Note} for the caller to report.
 */
public final class DecompressedStream implements AutoCloseable {
  /** The ratio cap applies once this much was produced (small streams compress arbitrarily). */
  public static final long RATIO_FLOOR = 64L << 20;

  /** Output up to this size stays on the heap; larger output is spilled to a scratch file. */
  static final int HEAP_BYTES = 8 << 20;

  private static final int INPUT_CHUNK = 1 << 20;

  /** The stream formats read here. */
  public enum Format {
    GZIP,
    ZLIB
  }

  /**
   * Something wrong with the stream that a reader would only notice after handing the bytes before
   * it to its caller.
   *
   * @param rule {@code compressed.*}
   * @param offset compressed offset where it was noticed
   */
  public record Note(String rule, long offset, String detail) {}

  private final MemorySegment data;
  private final ScratchFile scratch;
  private final List<Note> notes;
  private final int members;

  private DecompressedStream(
      MemorySegment data, ScratchFile scratch, List<Note> notes, int members) {
    this.data = data;
    this.scratch = scratch;
    this.notes = List.copyOf(notes);
    this.members = members;
  }

  /** The decompressed bytes; valid until {@link #close}. */
  public MemorySegment data() {
    return data;
  }

  public List<Note> notes() {
    return notes;
  }

  /** gzip members read (1 for zlib). */
  public int members() {
    return members;
  }

  /**
   * Decompresses {@code in}.
   *
   * @throws LimitExceededException {@code limit.max-decompressed-bytes} or {@code
   *     limit.max-decompression-ratio}
   * @throws IOException the scratch file for large output could not be written
   */
  public static DecompressedStream read(
      Format format, MemorySegment in, ParseLimits limits, String where)
      throws LimitExceededException, IOException {
    Sink sink = new Sink(limits, where);
    try {
      List<Note> notes = new ArrayList<>();
      int members = format == Format.ZLIB ? zlib(in, sink, notes) : gzip(in, sink, notes);
      return new DecompressedStream(sink.finish(), sink.scratch, notes, members);
    } catch (LimitExceededException | IOException | RuntimeException e) {
      sink.closeQuietly();
      throw e;
    }
  }

  private static int zlib(MemorySegment in, Sink sink, List<Note> notes)
      throws LimitExceededException, IOException {
    long end = inflate(in, 0, false, sink, notes, null);
    if (end >= 0 && end < in.byteSize()) {
      notes.add(
          new Note(
              "compressed.trailing-data",
              end,
              (in.byteSize() - end) + " bytes follow the end of the zlib stream"));
    }
    return 1;
  }

  private static int gzip(MemorySegment in, Sink sink, List<Note> notes)
      throws LimitExceededException, IOException {
    long p = 0;
    int members = 0;
    long size = in.byteSize();
    while (true) {
      if (size - p < 10 || u8(in, p) != 0x1f || u8(in, p + 1) != 0x8b) {
        if (members == 0 || p < size) {
          notes.add(
              new Note(
                  members == 0 ? "compressed.corrupt" : "compressed.trailing-data",
                  p,
                  (size - p) + " bytes after the last gzip member are not a gzip member"));
        }
        return members;
      }
      if (u8(in, p + 2) != 8) {
        notes.add(
            new Note("compressed.corrupt", p, "gzip member with a method other than deflate"));
        return members;
      }
      int flags = u8(in, p + 3);
      long q = p + 10;
      if ((flags & 4) != 0) {
        q = size - q < 2 ? size + 1 : q + 2 + (u8(in, q) | (u8(in, q + 1) << 8));
      }
      if ((flags & 8) != 0) {
        q = skipZeroTerminated(in, q);
      }
      if ((flags & 16) != 0) {
        q = skipZeroTerminated(in, q);
      }
      if ((flags & 2) != 0) {
        q += 2;
      }
      if (q > size) {
        notes.add(new Note("compressed.truncated", p, "gzip member header runs past the end"));
        return members;
      }
      members++;
      CRC32 crc = new CRC32();
      long start = sink.produced;
      long end = inflate(in, q, true, sink, notes, crc);
      if (end < 0) {
        return members;
      }
      if (size - end < 8) {
        notes.add(new Note("compressed.truncated", end, "gzip member trailer missing"));
        return members;
      }
      long wantCrc = u32(in, end);
      long wantSize = u32(in, end + 4);
      if (wantCrc != crc.getValue() || wantSize != ((sink.produced - start) & 0xffffffffL)) {
        notes.add(
            new Note("compressed.crc-mismatch", end, "gzip member CRC-32 or length mismatch"));
      }
      p = end + 8;
      // Python's gzip skips NUL padding between and after members.
      while (p < size && u8(in, p) == 0) {
        p++;
      }
      if (p == size) {
        return members;
      }
    }
  }

  private static long skipZeroTerminated(MemorySegment in, long q) {
    long size = in.byteSize();
    while (q < size && u8(in, q) != 0) {
      q++;
    }
    return q + 1;
  }

  /**
   * Inflates one stream starting at {@code from} into {@code sink}.
   *
   * @return the offset just after the stream, or -1 when it is damaged or truncated (noted)
   */
  private static long inflate(
      MemorySegment in, long from, boolean raw, Sink sink, List<Note> notes, CRC32 crc)
      throws LimitExceededException, IOException {
    Inflater inf = new Inflater(raw);
    byte[] buf = new byte[64 << 10];
    long fed = from;
    long size = in.byteSize();
    try {
      while (!inf.finished()) {
        if (inf.needsInput()) {
          if (fed >= size) {
            notes.add(new Note("compressed.truncated", fed, "stream ends before its end marker"));
            return -1;
          }
          int n = (int) Math.min(INPUT_CHUNK, size - fed);
          inf.setInput(in.asSlice(fed, n).asByteBuffer());
          fed += n;
        }
        int got;
        try {
          got = inf.inflate(buf);
        } catch (DataFormatException e) {
          notes.add(new Note("compressed.corrupt", fed, "corrupt deflate data: " + e.getMessage()));
          return -1;
        }
        if (got == 0 && inf.needsDictionary()) {
          notes.add(new Note("compressed.corrupt", fed, "stream needs a preset dictionary"));
          return -1;
        }
        if (got > 0) {
          if (crc != null) {
            crc.update(buf, 0, got);
          }
          sink.write(buf, got, fed - inf.getRemaining());
        }
      }
      return fed - inf.getRemaining();
    } finally {
      inf.end();
    }
  }

  private static int u8(MemorySegment in, long at) {
    return in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at) & 0xff;
  }

  private static long u32(MemorySegment in, long at) {
    return (long) u8(in, at)
        | ((long) u8(in, at + 1) << 8)
        | ((long) u8(in, at + 2) << 16)
        | ((long) u8(in, at + 3) << 24);
  }

  /** Bounded output: the heap up to {@link #HEAP_BYTES}, then a scratch file. */
  private static final class Sink {
    final ParseLimits limits;
    final String where;
    byte[] heap = new byte[64 << 10];
    long produced;
    ScratchFile scratch;

    Sink(ParseLimits limits, String where) {
      this.limits = limits;
      this.where = where;
    }

    void write(byte[] b, int n, long consumed) throws LimitExceededException, IOException {
      long next = produced + n;
      ParseLimits.check(
          "max-decompressed-bytes", next, limits.maxDecompressedBytes(), null, consumed, where);
      if (next > RATIO_FLOOR && next / Math.max(1, consumed) > limits.maxDecompressionRatio()) {
        throw new LimitExceededException(
            "max-decompression-ratio",
            next / Math.max(1, consumed),
            limits.maxDecompressionRatio(),
            null,
            consumed,
            where);
      }
      if (scratch == null && next <= HEAP_BYTES) {
        if (next > heap.length) {
          heap = java.util.Arrays.copyOf(heap, (int) Math.min(HEAP_BYTES, 2 * next));
        }
        System.arraycopy(b, 0, heap, (int) produced, n);
      } else {
        if (scratch == null) {
          scratch = ScratchFile.create();
          scratch.append(heap, 0, (int) produced);
          heap = null;
        }
        scratch.append(b, 0, n);
      }
      produced = next;
    }

    MemorySegment finish() throws IOException {
      if (scratch != null) {
        return scratch.map();
      }
      return MemorySegment.ofArray(java.util.Arrays.copyOf(heap, (int) produced));
    }

    void closeQuietly() {
      if (scratch != null) {
        try {
          scratch.close();
        } catch (IOException ignored) {
          // the scratch file is deleted on close or when the process ends
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (scratch != null) {
      scratch.close();
    }
  }
}
