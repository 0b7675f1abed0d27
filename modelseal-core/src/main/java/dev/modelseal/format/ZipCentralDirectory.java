package dev.modelseal.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A strict reader of a zip archive's structure, from its central directory (never by walking local
 * headers as a stream, which is how two readers come to see two different archives).
 *
 * <p>It finds the end-of-central-directory record (searching back at most 65,535 + 22 bytes), the
 * Zip64 locator and record, reads every central directory entry, and cross-checks each member's
 * local header (name, flags, method, CRC, sizes; Zip64 extras; data descriptors) against it. The
 * archive must be exactly: members back to back from offset 0, the central directory right after
 * the last one, then the end records. Anything else (data before, between or after, overlapping
 * members, the "overlapping files" zip bomb) is refused, as are encryption, methods other than
 * stored and deflate, multiple disks, comments, and names that are not plain relative paths.
 *
 * <p>This class reads structure only; member data is not inflated or CRC-checked here.
 */
public final class ZipCentralDirectory {
  public static final int STORED = 0;
  public static final int DEFLATED = 8;

  private static final int LOCAL_SIG = 0x04034b50;
  private static final int CENTRAL_SIG = 0x02014b50;
  private static final int END_SIG = 0x06054b50;
  private static final int ZIP64_END_SIG = 0x06064b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int DESCRIPTOR_SIG = 0x08074b50;
  private static final int END_SIZE = 22;
  private static final int ZIP64_LOCATOR_SIZE = 20;
  private static final int ZIP64_END_SIZE = 56;
  private static final int CENTRAL_SIZE = 46;
  private static final int LOCAL_SIZE = 30;
  private static final int MAX_COMMENT = 0xFFFF;
  private static final int ZIP64_EXTRA = 0x0001;
  private static final int UNICODE_PATH_EXTRA = 0x7075;
  private static final long U32_ESCAPE = 0xFFFFFFFFL;
  private static final int U16_ESCAPE = 0xFFFF;

  private static final int FLAG_ENCRYPTED = 0x1;
  private static final int FLAG_DESCRIPTOR = 0x8;
  private static final int FLAG_PATCHED = 0x20;
  private static final int FLAG_STRONG_ENCRYPTION = 0x40;
  private static final int FLAG_UTF8 = 0x800;
  private static final int FLAGS_ALLOWED = 0x2 | 0x4 | FLAG_DESCRIPTOR | FLAG_UTF8;

  private static final ValueLayout.OfShort U16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt U32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong U64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final List<ZipMember> members;
  private final long centralDirectoryOffset;
  private final long centralDirectorySize;

  private ZipCentralDirectory(List<ZipMember> members, long offset, long size) {
    this.members = List.copyOf(members);
    this.centralDirectoryOffset = offset;
    this.centralDirectorySize = size;
  }

  /** Members in central directory order. */
  public List<ZipMember> members() {
    return members;
  }

  public long centralDirectoryOffset() {
    return centralDirectoryOffset;
  }

  public long centralDirectorySize() {
    return centralDirectorySize;
  }

  /**
   * Reads and validates the structure of the zip archive {@code zip}.
   *
   * @param file for messages (may be null)
   * @throws FormatException naming the broken rule ({@code zip.*}); {@link LimitExceededException}
   *     for more members than {@link ParseLimits#maxTensors()} or declared uncompressed bytes above
   *     {@link ParseLimits#maxZipTotalUncompressed()}
   */
  public static ZipCentralDirectory read(MemorySegment zip, Path file, ParseLimits limits)
      throws FormatException {
    return new Parser(zip, file, limits).parse();
  }

  /** One central directory entry before its local header has been checked. */
  private record Central(
      String name,
      long nameAt,
      int nameLength,
      int flags,
      int method,
      long crc,
      long compressedSize,
      long uncompressedSize,
      long localOffset) {}

  private static final class Parser {
    private final MemorySegment zip;
    private final long size;
    private final Path file;
    private final ParseLimits limits;

    Parser(MemorySegment zip, Path file, ParseLimits limits) {
      this.zip = zip;
      this.size = zip.byteSize();
      this.file = file;
      this.limits = limits;
    }

    ZipCentralDirectory parse() throws FormatException {
      long end = findEnd();
      int disk = u16(end + 4);
      int centralDisk = u16(end + 6);
      int diskEntries = u16(end + 8);
      int entries16 = u16(end + 10);
      long centralSize32 = u32(end + 12);
      long centralOffset32 = u32(end + 16);

      long entries = entries16;
      long centralSize = centralSize32;
      long centralOffset = centralOffset32;
      long trailerStart = end;
      boolean needsZip64 =
          disk == U16_ESCAPE
              || centralDisk == U16_ESCAPE
              || diskEntries == U16_ESCAPE
              || entries16 == U16_ESCAPE
              || centralSize32 == U32_ESCAPE
              || centralOffset32 == U32_ESCAPE;
      long locator = end - ZIP64_LOCATOR_SIZE;
      boolean hasLocator = locator >= 0 && u32(locator) == ZIP64_LOCATOR_SIG;
      if (needsZip64 && !hasLocator) {
        throw error(
            "zip.zip64-locator-missing",
            end,
            null,
            "end record holds Zip64 escape values but no Zip64 locator precedes it");
      }
      if (hasLocator) {
        long recordDisk = u32(locator + 4);
        long record = u64(locator + 8);
        long totalDisks = u32(locator + 16);
        if (recordDisk != 0 || totalDisks != 1) {
          throw error("zip.multi-disk", locator, null, "Zip64 locator names several disks");
        }
        if (record < 0 || record > locator - ZIP64_END_SIZE) {
          throw error(
              "zip.zip64-record-bounds",
              locator + 8,
              null,
              "Zip64 end record offset " + Long.toUnsignedString(record) + " is out of bounds");
        }
        if (u32(record) != ZIP64_END_SIG) {
          throw error(
              "zip.zip64-record-signature", record, null, "no Zip64 end record where located");
        }
        long recordSize = u64(record + 4);
        if (recordSize != ZIP64_END_SIZE - 12) {
          throw error(
              "zip.zip64-record-size",
              record + 4,
              null,
              "Zip64 end record size "
                  + Long.toUnsignedString(recordSize)
                  + " is not 44 (extensible data is not supported)");
        }
        if (record + ZIP64_END_SIZE != locator) {
          throw error(
              "zip.data-after-central-directory",
              record + ZIP64_END_SIZE,
              null,
              (locator - record - ZIP64_END_SIZE)
                  + " bytes between the Zip64 end record and its locator");
        }
        long disk64 = u32(record + 16);
        long centralDisk64 = u32(record + 20);
        long diskEntries64 = u64(record + 24);
        long entries64 = u64(record + 32);
        long centralSize64 = u64(record + 40);
        long centralOffset64 = u64(record + 48);
        if (disk64 != 0
            || centralDisk64 != 0
            || diskEntries64 != entries64
            || (disk != 0 && disk != U16_ESCAPE)
            || (centralDisk != 0 && centralDisk != U16_ESCAPE)) {
          throw error("zip.multi-disk", record, null, "archive spans several disks");
        }
        agree(entries16, U16_ESCAPE, entries64, end + 10, "entry count");
        agree(centralSize32, U32_ESCAPE, centralSize64, end + 12, "central directory size");
        agree(centralOffset32, U32_ESCAPE, centralOffset64, end + 16, "central directory offset");
        entries = entries64;
        centralSize = centralSize64;
        centralOffset = centralOffset64;
        trailerStart = record;
      } else if (disk != 0 || centralDisk != 0 || diskEntries != entries16) {
        throw error("zip.multi-disk", end + 4, null, "archive spans several disks");
      }

      long centralEnd = -1;
      if (centralOffset >= 0 && centralSize >= 0) {
        try {
          centralEnd = Math.addExact(centralOffset, centralSize);
        } catch (ArithmeticException e) {
          centralEnd = -1;
        }
      }
      if (centralEnd < 0 || centralEnd > trailerStart) {
        throw error(
            "zip.central-directory-bounds",
            trailerStart,
            null,
            "central directory at "
                + Long.toUnsignedString(centralOffset)
                + " of "
                + Long.toUnsignedString(centralSize)
                + " bytes runs past the end records");
      }
      if (centralEnd < trailerStart) {
        throw error(
            "zip.data-after-central-directory",
            centralEnd,
            null,
            (trailerStart - centralEnd)
                + " bytes between the central directory and the end record");
      }
      if (entries < 0) {
        entries = Long.MAX_VALUE;
      }
      ParseLimits.check("max-tensors", entries, limits.maxTensors(), file, end + 10, null);
      if (entries > centralSize / CENTRAL_SIZE) {
        throw error(
            "zip.central-directory-truncated",
            centralOffset,
            null,
            entries + " entries cannot fit in a central directory of " + centralSize + " bytes");
      }

      List<Central> central = readCentral(centralOffset, centralEnd, (int) entries);
      long total = 0;
      for (Central c : central) {
        try {
          total = Math.addExact(total, c.uncompressedSize());
        } catch (ArithmeticException e) {
          total = Long.MAX_VALUE;
        }
      }
      ParseLimits.check(
          "max-zip-total-uncompressed",
          total,
          limits.maxZipTotalUncompressed(),
          file,
          centralOffset,
          null);

      List<ZipMember> members = new ArrayList<>(central.size());
      for (Central c : central) {
        members.add(checkLocal(c, centralOffset));
      }
      checkLayout(members, centralOffset);
      return new ZipCentralDirectory(members, centralOffset, centralSize);
    }

    /** The end record: the last signature whose comment length reaches exactly to the end. */
    private long findEnd() throws FormatException {
      if (size < END_SIZE) {
        throw error("zip.no-end-record", -1, null, "too short to be a zip archive");
      }
      long lowest = Math.max(0, size - END_SIZE - MAX_COMMENT);
      for (long p = size - END_SIZE; p >= lowest; p--) {
        if (u32(p) == END_SIG && p + END_SIZE + u16(p + 20) == size) {
          if (p + END_SIZE != size) {
            throw error(
                "zip.comment", p + 20, null, "archive comment (data after the central directory)");
          }
          return p;
        }
      }
      throw error("zip.no-end-record", -1, null, "no end-of-central-directory record");
    }

    private void agree(long narrow, long escape, long wide, long at, String what)
        throws FormatException {
      if (narrow != escape && narrow != wide) {
        throw error(
            "zip.zip64-mismatch",
            at,
            null,
            what
                + " is "
                + narrow
                + " in the end record but "
                + Long.toUnsignedString(wide)
                + " in the Zip64 end record");
      }
    }

    private List<Central> readCentral(long offset, long end, int entries) throws FormatException {
      List<Central> out = new ArrayList<>(entries);
      Set<String> names = new HashSet<>();
      long p = offset;
      for (int i = 0; i < entries; i++) {
        if (p + CENTRAL_SIZE > end) {
          throw error(
              "zip.central-directory-truncated",
              p,
              null,
              "central directory ends inside entry " + i);
        }
        if (u32(p) != CENTRAL_SIG) {
          throw error(
              "zip.central-header-signature", p, null, "no central directory entry " + i + " here");
        }
        int madeBy = u16(p + 4);
        int flags = u16(p + 8);
        int method = u16(p + 10);
        long crc = u32(p + 16);
        long compressed = u32(p + 20);
        long uncompressed = u32(p + 24);
        int nameLength = u16(p + 28);
        int extraLength = u16(p + 30);
        int commentLength = u16(p + 32);
        int diskStart = u16(p + 34);
        long externalAttributes = u32(p + 38);
        long localOffset = u32(p + 42);
        long next = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
        if (next > end) {
          throw error(
              "zip.central-directory-truncated",
              p,
              null,
              "central directory ends inside entry " + i + "'s name, extra field or comment");
        }
        byte[] nameBytes = bytes(p + CENTRAL_SIZE, nameLength);
        String name = decodeName(nameBytes, flags, p + CENTRAL_SIZE);
        checkName(name, p + CENTRAL_SIZE);
        checkFlags(flags, p + 8, name);
        if (method != STORED && method != DEFLATED) {
          throw error(
              "zip.unsupported-method",
              p + 10,
              name,
              "compression method " + method + " (only 0 stored and 8 deflate are allowed)");
        }
        if (commentLength != 0) {
          throw error("zip.comment", p + 32, name, "member comment");
        }
        checkFileType(madeBy, externalAttributes, p + 38, name);
        Map<Integer, long[]> extras = extras(p + CENTRAL_SIZE + nameLength, extraLength, name);
        long[] zip64 = extras.get(ZIP64_EXTRA);
        Zip64Fields z = new Zip64Fields(zip64, name);
        uncompressed = z.resolve(uncompressed);
        compressed = z.resolve(compressed);
        localOffset = z.resolve(localOffset);
        if (diskStart == U16_ESCAPE) {
          diskStart = z.resolveDisk();
        }
        if (diskStart != 0) {
          throw error("zip.multi-disk", p + 34, name, "member starts on disk " + diskStart);
        }
        if (method == STORED && compressed != uncompressed) {
          throw error(
              "zip.stored-size-mismatch",
              p + 20,
              name,
              "stored member has compressed size "
                  + compressed
                  + " but uncompressed size "
                  + uncompressed);
        }
        if (!names.add(name)) {
          throw error("zip.duplicate-name", p + CENTRAL_SIZE, name, "member name appears twice");
        }
        out.add(
            new Central(
                name,
                p + CENTRAL_SIZE,
                nameLength,
                flags,
                method,
                crc,
                compressed,
                uncompressed,
                localOffset));
        p = next;
      }
      if (p != end) {
        throw error(
            "zip.central-directory-size-mismatch",
            p,
            null,
            (end - p) + " bytes follow the last central directory entry");
      }
      return out;
    }

    private ZipMember checkLocal(Central c, long centralOffset) throws FormatException {
      String name = c.name();
      long h = c.localOffset();
      if (h + LOCAL_SIZE > centralOffset) {
        throw error(
            "zip.local-header-bounds",
            h,
            name,
            "local header does not lie before the central directory");
      }
      if (u32(h) != LOCAL_SIG) {
        throw error("zip.local-header-signature", h, name, "no local header where declared");
      }
      int flags = u16(h + 6);
      int method = u16(h + 8);
      long crc = u32(h + 14);
      long compressed = u32(h + 18);
      long uncompressed = u32(h + 22);
      int nameLength = u16(h + 26);
      int extraLength = u16(h + 28);
      long dataStart = h + LOCAL_SIZE + nameLength + extraLength;
      if (dataStart > centralOffset) {
        throw error(
            "zip.local-header-bounds",
            h,
            name,
            "local header's name and extra field run into the central directory");
      }
      if (nameLength != c.nameLength()
          || MemorySegment.mismatch(
                  zip,
                  h + LOCAL_SIZE,
                  h + LOCAL_SIZE + nameLength,
                  zip,
                  c.nameAt(),
                  c.nameAt() + nameLength)
              != -1) {
        throw error(
            "zip.local-name-mismatch",
            h + LOCAL_SIZE,
            name,
            "local header names a different member than the central directory");
      }
      if (flags != c.flags()) {
        throw error(
            "zip.local-flags-mismatch",
            h + 6,
            name,
            String.format(
                Locale.ROOT, "local flags 0x%04x differ from central 0x%04x", flags, c.flags()));
      }
      if (method != c.method()) {
        throw error(
            "zip.local-method-mismatch",
            h + 8,
            name,
            "local method " + method + " differs from central " + c.method());
      }
      Map<Integer, long[]> extras = extras(h + LOCAL_SIZE + nameLength, extraLength, name);
      boolean zip64 = extras.containsKey(ZIP64_EXTRA);
      Zip64Fields z = new Zip64Fields(extras.get(ZIP64_EXTRA), name);
      uncompressed = z.resolve(uncompressed);
      compressed = z.resolve(compressed);
      boolean descriptor = (flags & FLAG_DESCRIPTOR) != 0;
      // With a data descriptor the local header may carry zeros; otherwise it must agree.
      if (crc != c.crc() && !(descriptor && crc == 0)) {
        throw error(
            "zip.local-crc-mismatch", h + 14, name, "local CRC-32 differs from the central one");
      }
      if ((compressed != c.compressedSize() || uncompressed != c.uncompressedSize())
          && !(descriptor && compressed == 0 && uncompressed == 0)) {
        throw error(
            "zip.local-size-mismatch",
            h + 18,
            name,
            "local sizes "
                + Long.toUnsignedString(compressed)
                + "/"
                + Long.toUnsignedString(uncompressed)
                + " differ from central "
                + c.compressedSize()
                + "/"
                + c.uncompressedSize());
      }
      long dataEnd = c.compressedSize() < 0 ? -1 : dataStart + c.compressedSize();
      if (dataEnd < dataStart || dataEnd > centralOffset) {
        throw error(
            "zip.entry-bounds",
            dataStart,
            name,
            "member data of "
                + Long.toUnsignedString(c.compressedSize())
                + " bytes runs into the central directory");
      }
      long memberEnd = descriptor ? checkDescriptor(c, dataEnd, zip64, centralOffset) : dataEnd;
      return new ZipMember(
          name,
          c.flags(),
          c.method(),
          c.crc(),
          c.compressedSize(),
          c.uncompressedSize(),
          h,
          dataStart,
          memberEnd);
    }

    /** Data descriptor after the data: optional signature, CRC, then 4- or 8-byte sizes. */
    private long checkDescriptor(Central c, long at, boolean zip64, long limit)
        throws FormatException {
      int sizeBytes = zip64 ? 8 : 4;
      long p = at;
      if (p + 4 <= limit && u32(p) == DESCRIPTOR_SIG) {
        p += 4;
      }
      long end = p + 4 + 2L * sizeBytes;
      if (end > limit) {
        throw error(
            "zip.data-descriptor-bounds",
            at,
            c.name(),
            "data descriptor runs into the central directory");
      }
      long crc = u32(p);
      long compressed = zip64 ? u64(p + 4) : u32(p + 4);
      long uncompressed = zip64 ? u64(p + 12) : u32(p + 8);
      if (crc != c.crc()
          || compressed != c.compressedSize()
          || uncompressed != c.uncompressedSize()) {
        throw error(
            "zip.data-descriptor-mismatch",
            at,
            c.name(),
            "data descriptor's CRC or sizes differ from the central directory");
      }
      return end;
    }

    /** Members must tile [0, central directory) exactly, in offset order. */
    private void checkLayout(List<ZipMember> members, long centralOffset) throws FormatException {
      List<ZipMember> sorted = new ArrayList<>(members);
      sorted.sort(Comparator.comparingLong(ZipMember::localHeaderOffset));
      long expected = 0;
      for (ZipMember m : sorted) {
        long start = m.localHeaderOffset();
        if (start != expected) {
          if (expected == 0) {
            throw error(
                "zip.data-before-first-entry",
                0,
                m.name(),
                start + " bytes precede the first member");
          }
          if (start < expected) {
            throw error(
                "zip.overlapping-entries",
                start,
                m.name(),
                "member starts inside the previous one (ending at " + expected + ")");
          }
          throw error(
              "zip.gap-between-entries",
              expected,
              m.name(),
              (start - expected) + " unaccounted bytes before this member");
        }
        expected = m.endOffset();
      }
      if (expected != centralOffset) {
        throw error(
            sorted.isEmpty() ? "zip.data-before-first-entry" : "zip.gap-before-central-directory",
            expected,
            null,
            (centralOffset - expected) + " unaccounted bytes before the central directory");
      }
    }

    private void checkFlags(int flags, long at, String name) throws FormatException {
      if ((flags & FLAG_ENCRYPTED) != 0) {
        throw error("zip.encrypted", at, name, "member is encrypted (flag bit 0)");
      }
      if ((flags & FLAG_PATCHED) != 0) {
        throw error("zip.patched-data", at, name, "member is patched data (flag bit 5)");
      }
      if ((flags & FLAG_STRONG_ENCRYPTION) != 0) {
        throw error(
            "zip.strong-encryption", at, name, "member uses strong encryption (flag bit 6)");
      }
      if ((flags & ~FLAGS_ALLOWED) != 0) {
        throw error(
            "zip.unsupported-flags",
            at,
            name,
            String.format(Locale.ROOT, "unsupported general purpose flags 0x%04x", flags));
      }
    }

    /** Unix-made entries carry a file type; only regular files are members. */
    private void checkFileType(int madeBy, long attributes, long at, String name)
        throws FormatException {
      boolean unix = (madeBy >>> 8) == 3;
      long type = (attributes >>> 16) & 0xF000;
      if (unix && type == 0xA000) {
        throw error("zip.symlink-entry", at, name, "member is a symbolic link");
      }
      if ((unix && type == 0x4000) || (attributes & 0x10) != 0) {
        throw error("zip.directory-entry", at, name, "member is a directory");
      }
    }

    private String decodeName(byte[] raw, int flags, long at) throws FormatException {
      if ((flags & FLAG_UTF8) != 0) {
        try {
          return StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw))
              .toString();
        } catch (CharacterCodingException e) {
          throw error("zip.name-encoding", at, null, "member name is not valid UTF-8");
        }
      }
      for (byte b : raw) {
        if (b < 0) {
          // Readers disagree on such names (CP437 by the spec, UTF-8 or Latin-1 in practice).
          throw error(
              "zip.name-encoding",
              at,
              null,
              "non-ASCII member name without the UTF-8 flag (bit 11)");
        }
      }
      return new String(raw, StandardCharsets.US_ASCII);
    }

    private void checkName(String name, long at) throws FormatException {
      for (int i = 0; i < name.length(); i++) {
        char ch = name.charAt(i);
        if (ch < 0x20 || (ch >= 0x7f && ch <= 0x9f)) {
          throw error("zip.name-control-char", at, name, "member name holds a control character");
        }
      }
      if (name.isEmpty()) {
        throw error("zip.name-empty", at, null, "member name is empty");
      }
      if (name.endsWith("/")) {
        throw error("zip.directory-entry", at, name, "member is a directory");
      }
      if (name.startsWith("/")) {
        throw error("zip.name-absolute", at, name, "member name is an absolute path");
      }
      if (name.indexOf('\\') >= 0) {
        throw error("zip.name-backslash", at, name, "member name holds a backslash");
      }
      if (name.length() >= 2 && name.charAt(1) == ':' && isAsciiLetter(name.charAt(0))) {
        throw error("zip.name-drive-letter", at, name, "member name starts with a drive letter");
      }
      for (String segment : name.split("/", -1)) {
        if (segment.isEmpty()) {
          throw error("zip.name-empty-segment", at, name, "member name has an empty segment");
        }
        if (segment.equals(".") || segment.equals("..")) {
          throw error("zip.name-dot-segment", at, name, "member name has a '.' or '..' segment");
        }
      }
    }

    private static boolean isAsciiLetter(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Extra field blocks by id: {data offset, data length}. They must tile the field exactly. */
    private Map<Integer, long[]> extras(long at, int length, String name) throws FormatException {
      Map<Integer, long[]> out = new HashMap<>();
      long p = at;
      long end = at + length;
      while (p < end) {
        if (p + 4 > end) {
          throw error("zip.extra-malformed", p, name, "extra field ends inside a block header");
        }
        int id = u16(p);
        int blockLength = u16(p + 2);
        if (p + 4 + blockLength > end) {
          throw error(
              "zip.extra-malformed", p, name, "extra field block runs past the extra field");
        }
        if (id == UNICODE_PATH_EXTRA) {
          // Some readers take the member's name from this block, others ignore it.
          throw error(
              "zip.unicode-path-extra",
              p,
              name,
              "Info-ZIP Unicode Path extra field would give the member a second name");
        }
        if (out.put(id, new long[] {p + 4, blockLength}) != null && id == ZIP64_EXTRA) {
          throw error("zip.extra-malformed", p, name, "two Zip64 extra blocks");
        }
        p += 4 + blockLength;
      }
      return out;
    }

    /** Reads the Zip64 extra's 8-byte values in order, one for each escaped 32-bit field. */
    private final class Zip64Fields {
      private final long[] block;
      private final String name;
      private long next;

      Zip64Fields(long[] block, String name) {
        this.block = block;
        this.name = name;
        this.next = block == null ? 0 : block[0];
      }

      long resolve(long value) throws FormatException {
        if (value != U32_ESCAPE) {
          return value;
        }
        take(8);
        long v = u64(next - 8);
        if (v < 0) {
          throw error(
              "zip.entry-bounds",
              next - 8,
              name,
              "Zip64 value " + Long.toUnsignedString(v) + " is out of range");
        }
        return v;
      }

      int resolveDisk() throws FormatException {
        take(4);
        long v = u32(next - 4);
        return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
      }

      private void take(int n) throws FormatException {
        if (block == null) {
          throw error(
              "zip.zip64-extra-missing",
              -1,
              name,
              "a size or offset is 0xFFFFFFFF but there is no Zip64 extra field");
        }
        if (next + n > block[0] + block[1]) {
          throw error("zip.zip64-extra-malformed", block[0], name, "Zip64 extra field too short");
        }
        next += n;
      }
    }

    private byte[] bytes(long at, int length) {
      return zip.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
    }

    private int u16(long at) {
      return Short.toUnsignedInt(zip.get(U16, at));
    }

    private long u32(long at) {
      return Integer.toUnsignedLong(zip.get(U32, at));
    }

    private long u64(long at) {
      return zip.get(U64, at);
    }

    private FormatException error(String rule, long at, String name, String detail) {
      return new FormatException(rule, file, at, name, detail);
    }
  }
}
