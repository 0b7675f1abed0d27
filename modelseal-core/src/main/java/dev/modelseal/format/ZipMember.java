package dev.modelseal.format;

import java.util.Objects;

/**
 * One member of a zip archive, as its central directory declares it and its local header confirmed.
 * Sizes are the resolved (Zip64 where needed) values.
 *
 * @param name member name (validated: relative, no empty, {@code .} or {@code ..} segments)
 * @param flags general purpose bit flags (only bits 1, 2, 3 and 11 can occur)
 * @param method {@link ZipCentralDirectory#STORED} or {@link ZipCentralDirectory#DEFLATED}
 * @param crc32 CRC-32 of the uncompressed bytes
 * @param compressedSize bytes stored in the archive
 * @param uncompressedSize bytes after inflating
 * @param localHeaderOffset where the member's local header starts
 * @param dataOffset where its stored (possibly deflated) bytes start
 * @param endOffset where it ends, after any data descriptor
 */
public record ZipMember(
    String name,
    int flags,
    int method,
    long crc32,
    long compressedSize,
    long uncompressedSize,
    long localHeaderOffset,
    long dataOffset,
    long endOffset) {

  public ZipMember {
    Objects.requireNonNull(name, "name");
  }

  public boolean deflated() {
    return method == ZipCentralDirectory.DEFLATED;
  }

  /** Bit 3: CRC and sizes follow the data in a data descriptor. */
  public boolean hasDataDescriptor() {
    return (flags & 0x8) != 0;
  }
}
