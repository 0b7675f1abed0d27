package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.LimitExceededException;
import dev.modelseal.format.ParseLimits;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * An archive as CPython's {@code zipfile} (3.11, what Keras' {@code load_model} and {@code
 * torch.load}'s fallback use) sees it, rule for rule, so that the scanner can tell where its own
 * permissive reader ({@link ZipArchive}) and Python disagree:
 *
 * <ul>
 *   <li>end record: the last 22 bytes if they are one with an empty comment, else the <em>last</em>
 *       signature in the final 64 KiB + 22 (a fake record inside the comment wins); one closer than
 *       22 bytes to the end makes the file "not a zip";
 *   <li>Zip64: the locator right before the end record, and the Zip64 record assumed right before
 *       the locator — the locator's offset is ignored; a multi-disk locator is refused;
 *   <li>the central directory starts {@code size_cd} (+ 76 for Zip64) bytes before the end record,
 *       wherever the record says it is; the difference ("concat") shifts every header offset;
 *   <li>entries are read until {@code size_cd} bytes are consumed, whatever the entry count says; a
 *       name stops at its first NUL; names are UTF-8 when flag bit 11 says so, else cp437;
 *   <li>{@code open(name)} takes the last entry of that name, refuses encrypted and patched members
 *       and a local header whose name differs, reads {@code compress_size} bytes after the local
 *       header, stops at {@code file_size} bytes and checks the CRC-32.
 * </ul>
 */
final class PythonZipView {
  private static final int EOCD_SIZE = 22;
  private static final int LOCATOR_SIZE = 20;
  private static final int ZIP64_EOCD_SIZE = 56;
  private static final int CEN_SIZE = 46;
  private static final int LOC_SIZE = 30;
  private static final int MAX_EXTRACT_VERSION = 63;

  /** Inflation past a member's size still checks the stream (Python does) up to this much. */
  private static final long EXCESS_CHECKED = 16L << 20;

  private static final Charset CP437 = Charset.forName("IBM437");

  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /**
   * One {@code ZipInfo}: the central directory's view with {@code zipfile}'s adjustments.
   *
   * @param name the name after the first NUL is cut off ({@code namelist()})
   * @param origName the whole decoded name (what the local header must repeat)
   * @param headerOffset with "concat" added; may be negative or past the end
   */
  record Entry(
      String name,
      String origName,
      int flags,
      int method,
      long crc,
      long compressedSize,
      long size,
      long headerOffset) {}

  /** What {@code open(name)} finds: where the data starts, or why Python refuses. */
  record Opened(long dataOffset, String refusal) {
    boolean ok() {
      return refusal == null;
    }
  }

  private final MemorySegment data;
  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final long eocd;

  private PythonZipView(MemorySegment data, List<Entry> entries, long eocd) {
    this.data = data;
    this.entries = List.copyOf(entries);
    Map<String, Entry> m = new LinkedHashMap<>();
    for (Entry e : entries) {
      m.put(e.name(), e); // NameToInfo: the last entry of a name wins
    }
    this.byName = m;
    this.eocd = eocd;
  }

  /** {@code infolist()}, in central directory order, duplicates included. */
  List<Entry> entries() {
    return entries;
  }

  /** {@code getinfo(name)}: the last entry of that name, or null. */
  Entry get(String name) {
    return byName.get(name);
  }

  /** The names {@code getinfo} resolves, each once, in first-seen order. */
  List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** Where the end record Python chose lies. */
  long endRecord() {
    return eocd;
  }

  /**
   * Reads the archive as {@code zipfile.ZipFile(path)} does.
   *
   * @throws FormatException {@code zip.python-refuses} when {@code ZipFile()} raises (its reason in
   *     the message), {@code limit.max-tensors} past that many entries
   */
  static PythonZipView read(MemorySegment data, ParseLimits limits, String where)
      throws FormatException {
    long size = data.byteSize();
    if (size < EOCD_SIZE) {
      throw refuse(where, "File is not a zip file");
    }
    long location;
    if (data.get(I32, size - EOCD_SIZE) == 0x06054b50 && data.get(I16, size - 2) == 0) {
      location = size - EOCD_SIZE;
    } else {
      long start = Math.max(size - (1 << 16) - EOCD_SIZE, 0);
      location = -1;
      for (long p = size - 4; p >= start; p--) {
        if (data.get(I32, p) == 0x06054b50) {
          location = p;
          break;
        }
      }
      if (location < 0 || location > size - EOCD_SIZE) {
        throw refuse(where, "File is not a zip file");
      }
    }
    long sizeCd = data.get(I32, location + 12) & 0xffffffffL;
    long offsetCd = data.get(I32, location + 16) & 0xffffffffL;
    boolean zip64 = false;
    long loc = location - LOCATOR_SIZE;
    if (loc >= 0 && data.get(I32, loc) == 0x07064b50) {
      long diskNo = data.get(I32, loc + 4) & 0xffffffffL;
      long disks = data.get(I32, loc + 16) & 0xffffffffL;
      if (diskNo != 0 || disks > 1) {
        throw refuse(where, "zipfiles that span multiple disks are not supported");
      }
      long rec = loc - ZIP64_EOCD_SIZE;
      if (rec < 0) {
        throw refuse(where, "File is not a zip file (seek before the start)");
      }
      if (data.get(I32, rec) == 0x06064b50) {
        zip64 = true;
        sizeCd = data.get(I64, rec + 40);
        offsetCd = data.get(I64, rec + 48);
      }
    }
    // start_dir = offset_cd + concat = location - size_cd (- 76): offset_cd only shifts headers.
    BigInteger sizeCdU = unsigned(sizeCd);
    BigInteger concat =
        BigInteger.valueOf(location - (zip64 ? ZIP64_EOCD_SIZE + LOCATOR_SIZE : 0))
            .subtract(sizeCdU)
            .subtract(unsigned(offsetCd));
    BigInteger startDirB = concat.add(unsigned(offsetCd));
    if (startDirB.signum() < 0) {
      throw refuse(where, "Bad offset for central directory");
    }
    long startDir = startDirB.longValueExact(); // at most location
    long available =
        Math.max(0, Math.min(sizeCdU.min(BigInteger.valueOf(size)).longValue(), size - startDir));
    MemorySegment cd = data.asSlice(Math.min(startDir, size), available);
    long cdLen = cd.byteSize();
    List<Entry> list = new ArrayList<>();
    long total = 0;
    long pos = 0;
    long concatL = concat.longValue();
    boolean concatExact = concat.bitLength() < 63;
    while (BigInteger.valueOf(total).compareTo(sizeCdU) < 0) {
      if (cdLen - pos < CEN_SIZE) {
        throw refuse(where, "Truncated central directory");
      }
      if (cd.get(I32, pos) != 0x02014b50) {
        throw refuse(where, "Bad magic number for central directory");
      }
      if (list.size() >= limits.maxTensors()) {
        throw new LimitExceededException(
            "max-tensors", list.size() + 1L, limits.maxTensors(), null, startDir + pos, where);
      }
      int extractVersion = cd.get(ValueLayout.JAVA_BYTE, pos + 6) & 0xff;
      int flags = cd.get(I16, pos + 8) & 0xffff;
      int method = cd.get(I16, pos + 10) & 0xffff;
      long crc = cd.get(I32, pos + 16) & 0xffffffffL;
      long csize = cd.get(I32, pos + 20) & 0xffffffffL;
      long usize = cd.get(I32, pos + 24) & 0xffffffffL;
      int nameLen = cd.get(I16, pos + 28) & 0xffff;
      int extraLen = cd.get(I16, pos + 30) & 0xffff;
      int commentLen = cd.get(I16, pos + 32) & 0xffff;
      long headerOffset = cd.get(I32, pos + 42) & 0xffffffffL;
      long p = pos + CEN_SIZE;
      // BytesIO reads: short at the end of the directory, never an error.
      long nameEnd = Math.min(cdLen, p + nameLen);
      byte[] nameBytes = cd.asSlice(p, nameEnd - p).toArray(ValueLayout.JAVA_BYTE);
      long extraEnd = Math.min(cdLen, nameEnd + extraLen);
      byte[] extra = cd.asSlice(nameEnd, extraEnd - nameEnd).toArray(ValueLayout.JAVA_BYTE);
      pos = Math.min(cdLen, extraEnd + commentLen);
      String orig = decode(nameBytes, flags, where);
      if (extractVersion > MAX_EXTRACT_VERSION) {
        throw refuse(where, "zip file version " + extractVersion / 10.0);
      }
      // _decodeExtra: every Zip64 field in turn, each read against the values so far.
      long[] v = {usize, csize, headerOffset};
      int e = 0;
      while (extra.length - e >= 4) {
        int tp = (extra[e] & 0xff) | ((extra[e + 1] & 0xff) << 8);
        int ln = (extra[e + 2] & 0xff) | ((extra[e + 3] & 0xff) << 8);
        if (ln + 4 > extra.length - e) {
          throw refuse(where, String.format("Corrupt extra field %04x (size=%d)", tp, ln));
        }
        if (tp == 1) {
          ByteBuffer f = ByteBuffer.wrap(extra, e + 4, ln).slice().order(ByteOrder.LITTLE_ENDIAN);
          if (v[0] == 0xffffffffL || v[0] == -1L) {
            v[0] = take(f, where, "File size");
          }
          if (v[1] == 0xffffffffL) {
            v[1] = take(f, where, "Compress size");
          }
          if (v[2] == 0xffffffffL) {
            v[2] = take(f, where, "Header offset");
          }
        }
        e += ln + 4;
      }
      long ho;
      if (concatExact && v[2] >= 0) {
        ho = v[2] + concatL;
      } else {
        BigInteger h = unsigned(v[2]).add(concat);
        ho =
            h.bitLength() < 63 ? h.longValue() : (h.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
      }
      int nul = orig.indexOf('\0');
      String name = nul >= 0 ? orig.substring(0, nul) : orig;
      list.add(new Entry(name, orig, flags, method, crc, v[1], v[0], ho));
      total += CEN_SIZE + nameLen + extraLen + commentLen;
    }
    return new PythonZipView(data, list, location);
  }

  private static long take(ByteBuffer f, String where, String field) throws FormatException {
    if (f.remaining() < 8) {
      throw refuse(where, "Corrupt zip64 extra field. " + field + " not found.");
    }
    return f.getLong();
  }

  private static BigInteger unsigned(long v) {
    BigInteger b = BigInteger.valueOf(v);
    return v >= 0 ? b : b.add(BigInteger.ONE.shiftLeft(64));
  }

  private static String decode(byte[] b, int flags, String where) throws FormatException {
    if ((flags & 0x800) == 0) {
      return new String(b, CP437);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw refuse(where, "name is not valid UTF-8 although flag bit 11 says so");
    }
  }

  private static FormatException refuse(String where, String why) {
    return new FormatException("zip.python-refuses", null, -1, where, why);
  }

  /** {@code open(entry)} up to the first data byte: the local header checks. */
  Opened open(Entry e) {
    long size = data.byteSize();
    long h = e.headerOffset();
    if (h < 0) {
      return new Opened(-1, "negative header offset");
    }
    if (h > size - LOC_SIZE) {
      return new Opened(-1, "Truncated file header");
    }
    if (data.get(I32, h) != 0x04034b50) {
      return new Opened(-1, "Bad magic number for file header");
    }
    int lflags = data.get(I16, h + 6) & 0xffff;
    int nameLen = data.get(I16, h + 26) & 0xffff;
    int extraLen = data.get(I16, h + 28) & 0xffff;
    long nameEnd = Math.min(size, h + LOC_SIZE + nameLen);
    byte[] nameBytes =
        data.asSlice(h + LOC_SIZE, nameEnd - h - LOC_SIZE).toArray(ValueLayout.JAVA_BYTE);
    long dataOffset = Math.min(size, nameEnd + extraLen);
    if ((e.flags() & 0x20) != 0) {
      return new Opened(-1, "compressed patched data (flag bit 5)");
    }
    if ((e.flags() & 0x40) != 0) {
      return new Opened(-1, "strong encryption (flag bit 6)");
    }
    String lname;
    try {
      lname = decode(nameBytes, lflags, "");
    } catch (FormatException x) {
      return new Opened(-1, "local name is not valid UTF-8");
    }
    if (!lname.equals(e.origName())) {
      return new Opened(-1, "File name in directory and header differ");
    }
    if ((e.flags() & 0x1) != 0) {
      return new Opened(-1, "File is encrypted, password required for extraction");
    }
    if (e.method() != 0 && e.method() != 8 && e.method() != 12 && e.method() != 14) {
      return new Opened(-1, "compression type " + e.method());
    }
    return new Opened(dataOffset, null);
  }

  /**
   * The bytes {@code open(e).read()} returns, at most {@code max} of them.
   *
   * @throws FormatException {@code zip.python-refuses} where Python raises (refusal, EOFError,
   *     zlib.error, bad CRC-32); {@code zip.unsupported-method} for bzip2/lzma members (Python
   *     reads them, this component does not); {@code limit.max-text-bytes} past {@code max}
   */
  byte[] read(Entry e, long max, String where) throws FormatException {
    Opened o = open(e);
    if (!o.ok()) {
      throw refuse(where, o.refusal());
    }
    if (e.method() == 12 || e.method() == 14) {
      throw new FormatException(
          "zip.unsupported-method", null, e.headerOffset(), where, "bzip2/lzma member");
    }
    long size = data.byteSize();
    BigInteger csize = unsigned(e.compressedSize());
    long avail = csize.min(BigInteger.valueOf(size - o.dataOffset())).longValue();
    BigInteger fileSize = unsigned(e.size());
    byte[] out;
    if (e.method() == 0) {
      if (csize.signum() > 0 && avail == 0) {
        throw refuse(where, "EOFError");
      }
      long n = fileSize.min(BigInteger.valueOf(avail)).longValue();
      if (BigInteger.valueOf(avail).compareTo(csize) < 0
          && fileSize.compareTo(BigInteger.valueOf(avail)) > 0) {
        throw refuse(where, "EOFError");
      }
      ParseLimits.check("max-text-bytes", n, max, null, o.dataOffset(), where);
      out = data.asSlice(o.dataOffset(), n).toArray(ValueLayout.JAVA_BYTE);
    } else {
      out = inflate(o.dataOffset(), avail, csize, fileSize, max, where);
    }
    CRC32 crc = new CRC32();
    crc.update(out);
    if (crc.getValue() != e.crc()) {
      throw refuse(where, "Bad CRC-32");
    }
    return out;
  }

  private byte[] inflate(
      long from, long avail, BigInteger csize, BigInteger fileSize, long max, String where)
      throws FormatException {
    if (csize.signum() > 0 && avail == 0) {
      throw refuse(where, "EOFError");
    }
    long keep = fileSize.min(BigInteger.valueOf(max + 1)).longValue();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Inflater inf = new Inflater(true);
    byte[] buf = new byte[64 << 10];
    long produced = 0;
    long fed = 0;
    boolean finished;
    try {
      while (!inf.finished()) {
        if (inf.needsInput()) {
          if (fed >= avail) {
            break; // input exhausted: zlib's flush returns what it has, no error
          }
          int n = (int) Math.min(1 << 20, avail - fed);
          inf.setInput(data.asSlice(from + fed, n).asByteBuffer());
          fed += n;
        }
        int got = inf.inflate(buf);
        if (got == 0 && inf.needsDictionary()) {
          throw refuse(where, "zlib.error: needs dictionary");
        }
        if (got > 0) {
          long room = Math.max(0, keep - produced);
          out.write(buf, 0, (int) Math.min(room, got));
          produced += got;
          if (produced > max && keep > max) {
            throw new LimitExceededException("max-text-bytes", produced, max, null, from, where);
          }
          if (produced > keep + EXCESS_CHECKED) {
            break; // far beyond what Python returns: stop the work (later errors go unseen)
          }
        }
      }
    } catch (DataFormatException x) {
      throw refuse(where, "zlib.error: " + x.getMessage());
    } finally {
      finished = inf.finished();
      inf.end();
    }
    if (!finished
        && BigInteger.valueOf(avail).compareTo(csize) < 0
        && BigInteger.valueOf(produced).compareTo(fileSize) < 0) {
      throw refuse(where, "EOFError");
    }
    return out.toByteArray();
  }
}
