package dev.modelseal.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip archives by hand, laid out the way Python's zipfile does for numpy (Zip64 extra in the
 * local header with 0xFFFFFFFF sizes, plain sizes in the central directory), with a knob for every
 * field a test wants to break.
 */
final class ZipBuilder {
  static final int UNIX_REGULAR_0600 = 0x81800000;

  final List<Member> members = new ArrayList<>();
  byte[] prefix = new byte[0];
  byte[] beforeCentral = new byte[0];
  byte[] afterCentral = new byte[0];
  byte[] centralPadding = new byte[0];
  byte[] comment = new byte[0];
  boolean zip64End;
  Integer endDisk;
  Integer endEntries;
  Long endCentralSize;
  Long endCentralOffset;
  Long zip64Entries;
  Long zip64RecordSize;
  Long zip64TotalDisks;
  Long locatorRecordOffset;

  /** One member; null overrides mean "the consistent value". */
  static final class Member {
    String name;
    byte[] nameBytes;
    byte[] content;
    byte[] stored;
    int method;
    int flags;
    boolean zip64Local = true;
    boolean descriptor;
    boolean descriptorSignature = true;
    int madeBy = 0x032d;
    long externalAttributes = Integer.toUnsignedLong(UNIX_REGULAR_0600);
    byte[] centralExtra = new byte[0];
    byte[] localExtra = new byte[0];
    byte[] memberComment = new byte[0];
    byte[] gapAfter = new byte[0];
    boolean omitLocal;
    Integer diskStart;
    Integer localFlags;
    Integer localMethod;
    Long localCrc;
    Long localCompressed;
    Long localUncompressed;
    byte[] localNameBytes;
    Long centralCrc;
    Long centralCompressed;
    Long centralUncompressed;
    Long centralOffset;
    boolean centralZip64;
    Long descriptorCrc;
    int centralSignature = 0x02014b50;
    int localSignature = 0x04034b50;
    long offset;

    long crc() {
      CRC32 c = new CRC32();
      c.update(content);
      return c.getValue();
    }
  }

  Member stored(String name, byte[] content) {
    Member m = new Member();
    m.name = name;
    m.nameBytes = name.getBytes(StandardCharsets.UTF_8);
    m.content = content;
    m.stored = content;
    members.add(m);
    return m;
  }

  Member deflated(String name, byte[] content) {
    Member m = stored(name, content);
    m.method = 8;
    m.stored = deflate(content);
    return m;
  }

  static byte[] deflate(byte[] content) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    d.setInput(content);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!d.finished()) {
      int n = d.deflate(buf);
      out.write(buf, 0, n);
    }
    d.end();
    return out.toByteArray();
  }

  byte[] build() {
    Out out = new Out();
    out.bytes(prefix);
    for (Member m : members) {
      if (m.omitLocal) {
        continue;
      }
      m.offset = out.size();
      writeLocal(out, m);
      out.bytes(m.gapAfter);
    }
    out.bytes(beforeCentral);
    long centralStart = out.size();
    for (Member m : members) {
      writeCentral(out, m);
    }
    out.bytes(centralPadding);
    long centralSize = out.size() - centralStart;
    out.bytes(afterCentral);
    if (zip64End) {
      long record = out.size();
      out.u32(0x06064b50);
      out.u64(zip64RecordSize != null ? zip64RecordSize : 44);
      out.u16(45);
      out.u16(45);
      out.u32(0);
      out.u32(0);
      long entries = zip64Entries != null ? zip64Entries : members.size();
      out.u64(entries);
      out.u64(entries);
      out.u64(centralSize);
      out.u64(centralStart);
      out.u32(0x07064b50);
      out.u32(0);
      out.u64(locatorRecordOffset != null ? locatorRecordOffset : record);
      out.u32(zip64TotalDisks != null ? zip64TotalDisks : 1);
    }
    out.u32(0x06054b50);
    out.u16(endDisk != null ? endDisk : 0);
    out.u16(0);
    int entries = endEntries != null ? endEntries : members.size();
    out.u16(entries);
    out.u16(entries);
    out.u32(endCentralSize != null ? endCentralSize : centralSize);
    out.u32(endCentralOffset != null ? endCentralOffset : centralStart);
    out.u16(comment.length);
    out.bytes(comment);
    return out.toByteArray();
  }

  private static void writeLocal(Out out, Member m) {
    long crc = m.descriptor ? 0 : m.crc();
    long compressed = m.descriptor ? 0 : m.stored.length;
    long uncompressed = m.descriptor ? 0 : m.content.length;
    byte[] name = m.localNameBytes != null ? m.localNameBytes : m.nameBytes;
    out.u32(m.localSignature);
    out.u16(m.zip64Local ? 45 : 20);
    out.u16(m.localFlags != null ? m.localFlags : m.flags | (m.descriptor ? 8 : 0));
    out.u16(m.localMethod != null ? m.localMethod : m.method);
    out.u16(0);
    out.u16(0x21);
    out.u32(m.localCrc != null ? m.localCrc : crc);
    long c = m.localCompressed != null ? m.localCompressed : compressed;
    long u = m.localUncompressed != null ? m.localUncompressed : uncompressed;
    out.u32(m.zip64Local ? 0xFFFFFFFFL : c);
    out.u32(m.zip64Local ? 0xFFFFFFFFL : u);
    out.u16(name.length);
    out.u16((m.zip64Local ? 20 : 0) + m.localExtra.length);
    out.bytes(name);
    if (m.zip64Local) {
      out.u16(1);
      out.u16(16);
      out.u64(u);
      out.u64(c);
    }
    out.bytes(m.localExtra);
    out.bytes(m.stored);
    if (m.descriptor) {
      if (m.descriptorSignature) {
        out.u32(0x08074b50);
      }
      out.u32(m.descriptorCrc != null ? m.descriptorCrc : m.crc());
      if (m.zip64Local) {
        out.u64(m.stored.length);
        out.u64(m.content.length);
      } else {
        out.u32(m.stored.length);
        out.u32(m.content.length);
      }
    }
  }

  private static void writeCentral(Out out, Member m) {
    long compressed = m.centralCompressed != null ? m.centralCompressed : m.stored.length;
    long uncompressed = m.centralUncompressed != null ? m.centralUncompressed : m.content.length;
    long offset = m.centralOffset != null ? m.centralOffset : m.offset;
    out.u32(m.centralSignature);
    out.u16(m.madeBy);
    out.u16(m.zip64Local ? 45 : 20);
    out.u16(m.flags | (m.descriptor ? 8 : 0));
    out.u16(m.method);
    out.u16(0);
    out.u16(0x21);
    out.u32(m.centralCrc != null ? m.centralCrc : m.crc());
    out.u32(m.centralZip64 ? 0xFFFFFFFFL : compressed);
    out.u32(m.centralZip64 ? 0xFFFFFFFFL : uncompressed);
    out.u16(m.nameBytes.length);
    out.u16((m.centralZip64 ? 28 : 0) + m.centralExtra.length);
    out.u16(m.memberComment.length);
    out.u16(m.diskStart != null ? m.diskStart : 0);
    out.u16(0);
    out.u32(m.externalAttributes);
    out.u32(m.centralZip64 ? 0xFFFFFFFFL : offset);
    out.bytes(m.nameBytes);
    if (m.centralZip64) {
      out.u16(1);
      out.u16(24);
      out.u64(uncompressed);
      out.u64(compressed);
      out.u64(offset);
    }
    out.bytes(m.centralExtra);
    out.bytes(m.memberComment);
  }

  /** An extra field block. */
  static byte[] extra(int id, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) id).putShort((short) data.length).put(data);
    return b.array();
  }

  private static final class Out {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    long size() {
      return out.size();
    }

    void bytes(byte[] b) {
      out.writeBytes(b);
    }

    void u16(long v) {
      out.write((int) v & 0xff);
      out.write((int) (v >>> 8) & 0xff);
    }

    void u32(long v) {
      u16(v & 0xffff);
      u16((v >>> 16) & 0xffff);
    }

    void u64(long v) {
      u32(v & 0xffffffffL);
      u32(v >>> 32);
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
