package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.LimitExceededException;
import dev.modelseal.format.ParseLimits;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A deliberately permissive zip reader: it reads an archive the way the most permissive loader does
 * (PyTorch's miniz-based reader takes each member's data at the central directory's offset and
 * ignores the encryption flag bits, CRC errors and the local header's name), and reports every
 * inconsistency it passes over as a finding, so that what a loader would run is scanned and the
 * differential itself is visible.
 *
 * <p>It is not {@code npz}'s strict reader: that one rejects; this one reads on and reports.
 */
final class ZipArchive {
  private static final int EOCD_SIG = 0x06054b50;
  private static final int ZIP64_EOCD_SIG = 0x06064b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int CEN_SIG = 0x02014b50;
  private static final int LOC_SIG = 0x04034b50;
  private static final int EOCD_SIZE = 22;
  private static final int MAX_COMMENT = 0xffff;

  /** Flag bits that mean "encrypted": traditional, strong encryption, and patched data. */
  static final int ENCRYPTION_FLAGS = 0x1 | 0x20 | 0x40;

  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /**
   * One member as the central directory describes it, with what its local header says.
   *
   * @param name central directory name (what loaders look up)
   * @param localName the local header's name (what streaming readers see); null if unreadable
   * @param dataOffset where the data starts per the local header's lengths; -1 if unreadable
   */
  record Member(
      String name,
      String localName,
      int flags,
      int localFlags,
      int method,
      int localMethod,
      long crc,
      long compressedSize,
      long size,
      long headerOffset,
      long dataOffset) {
    boolean encrypted() {
      return (flags & ENCRYPTION_FLAGS) != 0 || (localFlags & ENCRYPTION_FLAGS) != 0;
    }

    boolean isDirectory() {
      return name.endsWith("/");
    }
  }

  private final MemorySegment data;
  private final List<Member> members;
  private final long endRecord;

  private ZipArchive(MemorySegment data, List<Member> members, long endRecord) {
    this.data = data;
    this.members = members;
    this.endRecord = endRecord;
  }

  /**
   * Members another reader found in the same bytes, read through this reader's {@link #content}.
   */
  static ZipArchive of(MemorySegment data, List<Member> members) {
    return new ZipArchive(data, List.copyOf(members), -1);
  }

  /** Where the end-of-central-directory record read lies (-1 when built with {@link #of}). */
  long endRecord() {
    return endRecord;
  }

  /** Every end-record signature a reader might pick, last first (at most {@code max}). */
  static List<Long> endRecordCandidates(MemorySegment data, int max) {
    List<Long> found = new ArrayList<>();
    long size = data.byteSize();
    long min = Math.max(0, size - EOCD_SIZE - MAX_COMMENT);
    for (long p = size - EOCD_SIZE; p >= min && found.size() < max; p--) {
      if (data.get(I32, p) == EOCD_SIG) {
        found.add(p);
      }
    }
    return found;
  }

  List<Member> members() {
    return members;
  }

  static boolean looksLikeZip(MemorySegment data) {
    if (data.byteSize() < 4) {
      return false;
    }
    int sig = data.get(I32, 0);
    if (sig == LOC_SIG || (sig == EOCD_SIG && data.byteSize() >= EOCD_SIZE)) {
      return true;
    }
    // Zips may have data prepended (self-extractors, polyglots): accept an EOCD at the end.
    return findEocd(data) >= 0 && data.byteSize() < (1L << 62);
  }

  static boolean startsWithLocalHeader(MemorySegment data) {
    return data.byteSize() >= 4 && data.get(I32, 0) == LOC_SIG;
  }

  private static long findEocd(MemorySegment data) {
    long size = data.byteSize();
    long min = Math.max(0, size - EOCD_SIZE - MAX_COMMENT);
    for (long p = size - EOCD_SIZE; p >= min; p--) {
      if (data.get(I32, p) == EOCD_SIG) {
        return p;
      }
    }
    return -1;
  }

  /**
   * Reads the central directory and every local header it points to.
   *
   * @throws FormatException {@code zip.no-central-directory} when the archive cannot be read at all
   */
  static ZipArchive read(MemorySegment data, ParseLimits limits, Findings out, String where)
      throws FormatException {
    return read(data, limits, out, where, findEocd(data));
  }

  /**
   * As {@link #read(MemorySegment, ParseLimits, Findings, String)} from the end record at {@code
   * eocd}.
   */
  static ZipArchive read(
      MemorySegment data, ParseLimits limits, Findings out, String where, long eocd)
      throws FormatException {
    long size = data.byteSize();
    if (eocd < 0) {
      throw new FormatException(
          "zip.no-central-directory", null, -1, where, "no end-of-central-directory record");
    }
    long entries = data.get(I16, eocd + 10) & 0xffff;
    long cdSize = data.get(I32, eocd + 12) & 0xffffffffL;
    long cdOffset = data.get(I32, eocd + 16) & 0xffffffffL;
    int diskNo = data.get(I16, eocd + 4) & 0xffff;
    if (diskNo != 0 || (data.get(I16, eocd + 6) & 0xffff) != 0) {
      out.add(
          "zip.multi-disk",
          Severity.MEDIUM,
          where,
          "",
          "archive claims to span several disks; read as a single file");
    }
    long locator = eocd - 20;
    long cdEnd0 = eocd;
    if (locator >= 0 && data.get(I32, locator) == ZIP64_LOCATOR_SIG) {
      long z64 = data.get(I64, locator + 8);
      if (z64 >= 0 && z64 <= size - 56 && data.get(I32, z64) == ZIP64_EOCD_SIG) {
        entries = data.get(I64, z64 + 32);
        cdSize = data.get(I64, z64 + 40);
        cdOffset = data.get(I64, z64 + 48);
        cdEnd0 = z64;
      } else {
        throw new FormatException(
            "zip.no-central-directory", null, locator, where, "broken Zip64 end record locator");
      }
    }
    if (cdOffset < 0 || cdSize < 0 || cdOffset > size || cdSize > size - cdOffset) {
      throw new FormatException(
          "zip.no-central-directory", null, eocd, where, "central directory lies outside the file");
    }
    // Data prepended to an archive written for offset 0 (self-extractors, polyglots) shifts every
    // offset; Python's zipfile finds the directory right before the end record and shifts them
    // back. Read it that way too (the prepended bytes are reported by checkLayout).
    long delta = 0;
    long actual = cdEnd0 - cdSize;
    if (entries > 0
        && (cdOffset > size - 4 || data.get(I32, cdOffset) != CEN_SIG)
        && actual > cdOffset
        && actual <= size - 4
        && data.get(I32, actual) == CEN_SIG) {
      delta = actual - cdOffset;
      cdOffset = actual;
    }
    ParseLimits.check("max-tensors", entries, limits.maxTensors(), null, eocd, where);
    List<Member> list = new ArrayList<>();
    Set<String> names = new HashSet<>();
    long p = cdOffset;
    long cdEnd = cdOffset + cdSize;
    for (long i = 0; i < entries; i++) {
      if (p > cdEnd - 46 || data.get(I32, p) != CEN_SIG) {
        out.add(
            "zip.central-directory-truncated",
            Severity.HIGH,
            Findings.at(where, "offset " + p),
            "",
            "central directory holds fewer entries than its end record claims ("
                + i
                + " of "
                + entries
                + ")");
        break;
      }
      int flags = data.get(I16, p + 8) & 0xffff;
      int method = data.get(I16, p + 10) & 0xffff;
      long crc = data.get(I32, p + 16) & 0xffffffffL;
      long csize = data.get(I32, p + 20) & 0xffffffffL;
      long usize = data.get(I32, p + 24) & 0xffffffffL;
      int nameLen = data.get(I16, p + 28) & 0xffff;
      int extraLen = data.get(I16, p + 30) & 0xffff;
      int commentLen = data.get(I16, p + 32) & 0xffff;
      long lho = data.get(I32, p + 42) & 0xffffffffL;
      long next = p + 46 + nameLen + extraLen + commentLen;
      if (next > cdEnd) {
        out.add(
            "zip.central-directory-truncated",
            Severity.HIGH,
            Findings.at(where, "offset " + p),
            "",
            "central directory entry runs past the directory's end");
        break;
      }
      String name = name(data, p + 46, nameLen, flags);
      // Zip64 extra field: the 0xFFFFFFFF fields, in order usize, csize, offset.
      long e = p + 46 + nameLen;
      long eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        int id = data.get(I16, e) & 0xffff;
        int len = data.get(I16, e + 2) & 0xffff;
        long q = e + 4;
        if (q + len > eEnd) {
          break;
        }
        if (id == 1) {
          long qEnd = q + len;
          if (usize == 0xffffffffL && q + 8 <= qEnd) {
            usize = data.get(I64, q);
            q += 8;
          }
          if (csize == 0xffffffffL && q + 8 <= qEnd) {
            csize = data.get(I64, q);
            q += 8;
          }
          if (lho == 0xffffffffL && q + 8 <= qEnd) {
            lho = data.get(I64, q);
          }
        }
        e += 4 + len;
      }
      lho += delta;
      String loc = Findings.at(where, name);
      if (!names.add(name)) {
        out.add(
            "zip.duplicate-name",
            Severity.HIGH,
            loc,
            name,
            "two members share a name: readers disagree on which one they load");
      }
      Member m = local(data, name, flags, method, crc, csize, usize, lho, out, loc);
      list.add(m);
      p = next;
    }
    checkLayout(data, list, cdOffset, out, where);
    return new ZipArchive(data, List.copyOf(list), eocd);
  }

  private static String name(MemorySegment data, long at, int len, int flags) {
    byte[] b = data.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE);
    if ((flags & 0x800) == 0) {
      boolean ascii = true;
      for (byte x : b) {
        ascii &= x >= 0;
      }
      if (!ascii) {
        // Not marked UTF-8: Python reads cp437, miniz passes bytes through. Keep bytes visible.
        return new String(b, StandardCharsets.ISO_8859_1);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
  }

  private static Member local(
      MemorySegment data,
      String name,
      int flags,
      int method,
      long crc,
      long csize,
      long usize,
      long lho,
      Findings out,
      String loc) {
    long size = data.byteSize();
    if ((flags & ENCRYPTION_FLAGS) != 0) {
      out.add(
          "zip.encryption-flag",
          Severity.HIGH,
          loc,
          String.format("flags 0x%04x", flags),
          "member is marked encrypted/patched: Python's zipfile refuses it, PyTorch reads it as"
              + " plain data (scanned as plain data)");
    }
    if (lho < 0 || lho > size - 30 || data.get(I32, lho) != LOC_SIG) {
      out.add(
          "zip.local-header-missing",
          Severity.HIGH,
          loc,
          "",
          "no local header at offset " + lho + ": the member cannot be read");
      return new Member(name, null, flags, 0, method, -1, crc, csize, usize, lho, -1);
    }
    int lflags = data.get(I16, lho + 6) & 0xffff;
    int lmethod = data.get(I16, lho + 8) & 0xffff;
    long lcrc = data.get(I32, lho + 14) & 0xffffffffL;
    long lcsize = data.get(I32, lho + 18) & 0xffffffffL;
    long lusize = data.get(I32, lho + 22) & 0xffffffffL;
    int nameLen = data.get(I16, lho + 26) & 0xffff;
    int extraLen = data.get(I16, lho + 28) & 0xffff;
    long dataOffset = lho + 30 + nameLen + extraLen;
    if (dataOffset > size) {
      out.add(
          "zip.local-header-missing",
          Severity.HIGH,
          loc,
          "",
          "local header at offset " + lho + " runs past the end of the file");
      return new Member(name, null, flags, lflags, method, lmethod, crc, csize, usize, lho, -1);
    }
    String lname = name(data, lho + 30, nameLen, lflags);
    if (!lname.equals(name)) {
      out.add(
          "zip.local-name-mismatch",
          Severity.HIGH,
          loc,
          "local name '" + lname + "'",
          "local header names another file than the central directory: streaming readers and"
              + " PyTorch see different members");
    }
    if ((lflags & ENCRYPTION_FLAGS) != 0 && (flags & ENCRYPTION_FLAGS) == 0) {
      out.add(
          "zip.encryption-flag",
          Severity.HIGH,
          loc,
          String.format("local flags 0x%04x", lflags),
          "local header marks the member encrypted/patched, the central directory does not");
    } else if ((lflags & ~0x808) != (flags & ~0x808)) {
      out.add(
          "zip.flags-mismatch",
          Severity.MEDIUM,
          loc,
          String.format("flags 0x%04x vs 0x%04x", flags, lflags),
          "central directory and local header disagree on the member's flags");
    }
    if (lmethod != method) {
      out.add(
          "zip.method-mismatch",
          Severity.MEDIUM,
          loc,
          "method " + method + " vs " + lmethod,
          "central directory and local header disagree on the compression method");
    }
    boolean descriptor = (lflags & 0x8) != 0;
    if (!descriptor
        && ((lcrc != crc)
            || (lcsize != 0xffffffffL && lcsize != csize)
            || (lusize != 0xffffffffL && lusize != usize))) {
      out.add(
          "zip.local-size-mismatch",
          Severity.MEDIUM,
          loc,
          "",
          "central directory and local header disagree on size or CRC");
    }
    return new Member(
        name, lname, flags, lflags, method, lmethod, crc, csize, usize, lho, dataOffset);
  }

  /** Data nobody accounts for (before, between or overlapping members) hides content. */
  private static void checkLayout(
      MemorySegment data, List<Member> list, long cdOffset, Findings out, String where) {
    List<Member> sorted =
        list.stream()
            .filter(m -> m.dataOffset() >= 0)
            .sorted(Comparator.comparingLong(Member::headerOffset))
            .toList();
    long expected = 0;
    Map<Long, String> seenHeaders = new HashMap<>();
    for (Member m : sorted) {
      String prev = seenHeaders.putIfAbsent(m.headerOffset(), m.name());
      if (prev != null) {
        out.add(
            "zip.overlapping-members",
            Severity.HIGH,
            Findings.at(where, m.name()),
            prev,
            "two central directory entries point at the same local header");
        continue;
      }
      if (m.headerOffset() < expected) {
        out.add(
            "zip.overlapping-members",
            Severity.HIGH,
            Findings.at(where, m.name()),
            "",
            "member overlaps the previous one");
      } else if (m.headerOffset() > expected) {
        out.add(
            expected == 0 ? "zip.prepended-data" : "zip.unaccounted-bytes",
            Severity.MEDIUM,
            Findings.at(where, "offset " + expected),
            "",
            (m.headerOffset() - expected)
                + " bytes before this member belong to no member (hidden data or a polyglot)");
      }
      long end = m.dataOffset() + Math.max(0, m.compressedSize());
      if ((m.localFlags() & 0x8) != 0) {
        end = skipDescriptor(data, end);
      }
      expected = Math.max(expected, end);
    }
    if (!sorted.isEmpty() && cdOffset > expected) {
      out.add(
          "zip.unaccounted-bytes",
          Severity.MEDIUM,
          Findings.at(where, "offset " + expected),
          "",
          (cdOffset - expected)
              + " bytes between the last member and the central directory belong to no member");
    }
  }

  private static long skipDescriptor(MemorySegment data, long end) {
    long size = data.byteSize();
    long p = end;
    if (p <= size - 4 && data.get(I32, p) == 0x08074b50) {
      p += 4;
    }
    // crc + sizes: 12 bytes, or 20 with Zip64 sizes; take the shorter form (a gap is reported).
    return Math.min(size, p + 12);
  }

  /**
   * The member's bytes, as PyTorch reads them: at the central directory's size from where the local
   * header says data starts, inflated if deflated, whatever the flags say. The CRC is checked and a
   * mismatch reported (the data is still returned).
   *
   * @throws FormatException the member lies outside the file, uses an unknown method, or does not
   *     inflate to its declared size
   */
  MemorySegment content(Member m, long maxSize, Findings out, String loc) throws FormatException {
    if (m.dataOffset() < 0) {
      throw new FormatException("zip.local-header-missing", null, m.headerOffset(), loc, "no data");
    }
    long size = data.byteSize();
    if (m.compressedSize() < 0 || m.compressedSize() > size - m.dataOffset()) {
      throw new FormatException(
          "zip.member-out-of-bounds",
          null,
          m.dataOffset(),
          loc,
          "member data runs past the end of the file");
    }
    MemorySegment raw = data.asSlice(m.dataOffset(), m.compressedSize());
    MemorySegment result;
    switch (m.method()) {
      case 0 -> {
        if (m.size() != m.compressedSize()) {
          out.add(
              "zip.local-size-mismatch",
              Severity.MEDIUM,
              loc,
              "",
              "stored member's sizes differ (" + m.compressedSize() + " vs " + m.size() + ")");
        }
        result = raw;
      }
      case 8 -> result = inflate(raw, m.size(), maxSize, loc);
      default ->
          throw new FormatException(
              "zip.unsupported-method",
              null,
              m.headerOffset(),
              loc,
              "compression method " + m.method() + " cannot be read, so it was not scanned");
    }
    CRC32 crc = new CRC32();
    long done = 0;
    long n = result.byteSize();
    while (done < n) {
      long chunk = Math.min(n - done, 1 << 30);
      crc.update(result.asSlice(done, chunk).asByteBuffer());
      done += chunk;
    }
    if (crc.getValue() != m.crc()) {
      out.add(
          "zip.crc-mismatch",
          Severity.HIGH,
          loc,
          "",
          "CRC-32 does not match: Python's zipfile refuses the member, PyTorch loads it");
    }
    return result;
  }

  private static MemorySegment inflate(MemorySegment raw, long declared, long maxSize, String loc)
      throws FormatException {
    if (declared > maxSize || declared > Integer.MAX_VALUE - 16) {
      throw new LimitExceededException(
          "max-text-bytes", declared, Math.min(maxSize, Integer.MAX_VALUE - 16), null, -1, loc);
    }
    byte[] out = new byte[(int) declared];
    Inflater inf = new Inflater(true);
    try {
      long fed = 0;
      int produced = 0;
      byte[] probe = new byte[1];
      while (true) {
        if (inf.needsInput() && fed < raw.byteSize()) {
          int chunk = (int) Math.min(raw.byteSize() - fed, 1 << 20);
          inf.setInput(raw.asSlice(fed, chunk).asByteBuffer());
          fed += chunk;
        }
        int got =
            produced < out.length
                ? inf.inflate(out, produced, out.length - produced)
                : inf.inflate(probe);
        if (produced >= out.length && got > 0) {
          throw new FormatException(
              "zip.size-mismatch",
              null,
              -1,
              loc,
              "deflated member inflates beyond its declared size of " + declared);
        }
        produced += got;
        if (inf.finished()) {
          break;
        }
        if (got == 0 && (inf.needsDictionary() || (inf.needsInput() && fed >= raw.byteSize()))) {
          throw new FormatException(
              "zip.bad-deflate", null, -1, loc, "deflate stream ends early or needs a dictionary");
        }
      }
      if (produced != out.length) {
        throw new FormatException(
            "zip.size-mismatch",
            null,
            -1,
            loc,
            "member inflates to " + produced + " bytes, not the declared " + declared);
      }
      return MemorySegment.ofArray(out);
    } catch (DataFormatException e) {
      throw new FormatException("zip.bad-deflate", null, -1, loc, "corrupt deflate data", e);
    } finally {
      inf.end();
    }
  }
}
