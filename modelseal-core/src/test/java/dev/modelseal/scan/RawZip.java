package dev.modelseal.scan;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip archives byte by byte so that a test can lay out what real writers never do: several
 * central directories, end records in comments, Zip64 records where the locator does not point,
 * entry counts that lie, names that differ between headers.
 */
final class RawZip {
  /** One member: its local header and data, and the central entry that describes it. */
  static final class Entry {
    byte[] name;
    byte[] localName;
    byte[] content;
    int method;
    int flags;
    Long crc;
    Long centralCompressed;
    Long centralSize;
    byte[] centralExtra = new byte[0];

    /** Added to the offset the central entry records (negative to lie). */
    long offsetShift;

    long localOffset = -1;
    byte[] stored;

    Entry(String name, byte[] content, int method) {
      this.name = name.getBytes(StandardCharsets.UTF_8);
      this.localName = this.name;
      this.content = content;
      this.method = method;
      this.stored = method == 8 ? deflate(content) : content;
    }

    long crcValue() {
      if (crc != null) {
        return crc;
      }
      CRC32 c = new CRC32();
      c.update(content);
      return c.getValue();
    }
  }

  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static byte[] deflate(byte[] b) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    d.setInput(b);
    d.finish();
    byte[] buf = new byte[b.length * 2 + 64];
    int n = d.deflate(buf);
    d.end();
    return java.util.Arrays.copyOf(buf, n);
  }

  long position() {
    return out.size();
  }

  RawZip raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  /** Writes the local header and data of {@code e} here. */
  RawZip local(Entry e) {
    e.localOffset = position();
    ByteBuffer h = ByteBuffer.allocate(30 + e.localName.length).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0x04034b50).putShort((short) 20).putShort((short) e.flags);
    h.putShort((short) e.method).putShort((short) 0).putShort((short) 0x21);
    h.putInt((int) e.crcValue()).putInt(e.stored.length).putInt(e.content.length);
    h.putShort((short) e.localName.length).putShort((short) 0).put(e.localName);
    out.writeBytes(h.array());
    out.writeBytes(e.stored);
    return this;
  }

  /** The central directory entries for {@code entries}, as bytes (written by the caller). */
  static byte[] central(List<Entry> entries) {
    ByteArrayOutputStream cd = new ByteArrayOutputStream();
    for (Entry e : entries) {
      ByteBuffer h =
          ByteBuffer.allocate(46 + e.name.length + e.centralExtra.length)
              .order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(0x02014b50).putShort((short) 0x031e).putShort((short) 20).putShort((short) e.flags);
      h.putShort((short) e.method).putShort((short) 0).putShort((short) 0x21);
      h.putInt((int) e.crcValue());
      h.putInt((int) (e.centralCompressed != null ? e.centralCompressed : e.stored.length));
      h.putInt((int) (e.centralSize != null ? e.centralSize : e.content.length));
      h.putShort((short) e.name.length).putShort((short) e.centralExtra.length);
      h.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0);
      h.putInt((int) (e.localOffset + e.offsetShift));
      h.put(e.name).put(e.centralExtra);
      cd.writeBytes(h.array());
    }
    return cd.toByteArray();
  }

  static byte[] endRecord(long entries, long cdSize, long cdOffset, byte[] comment) {
    ByteBuffer h = ByteBuffer.allocate(22 + comment.length).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    h.putShort((short) entries).putShort((short) entries);
    h.putInt((int) cdSize).putInt((int) cdOffset).putShort((short) comment.length).put(comment);
    return h.array();
  }

  static byte[] zip64Record(long entries, long cdSize, long cdOffset) {
    ByteBuffer h = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45);
    h.putInt(0).putInt(0).putLong(entries).putLong(entries).putLong(cdSize).putLong(cdOffset);
    return h.array();
  }

  static byte[] zip64Locator(long recordOffset) {
    ByteBuffer h = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0x07064b50).putInt(0).putLong(recordOffset).putInt(1);
    return h.array();
  }

  /** An ordinary archive of {@code entries} with an archive comment. */
  static byte[] plain(List<Entry> entries, byte[] comment) {
    RawZip z = new RawZip();
    for (Entry e : entries) {
      z.local(e);
    }
    long cdAt = z.position();
    byte[] cd = central(entries);
    z.raw(cd).raw(endRecord(entries.size(), cd.length, cdAt, comment));
    return z.out.toByteArray();
  }

  static List<Entry> list(Entry... e) {
    return new ArrayList<>(List.of(e));
  }
}
