package dev.modelseal.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A private temporary file that an inflated npz member is written to when it must be read out of
 * order (Fortran-order data) and is too large for a bounded heap buffer. It is created readable and
 * writable by its owner only, deleted when closed (and by the OS when the process dies, as it is
 * opened with DELETE_ON_CLOSE), and mapped read-only for the permutation.
 */
final class ScratchFile implements AutoCloseable {
  private final FileChannel channel;
  private final Arena arena = Arena.ofConfined();
  private long written;

  private ScratchFile(FileChannel channel) {
    this.channel = channel;
  }

  static ScratchFile create() throws IOException {
    Path path;
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      FileAttribute<?> ownerOnly =
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
      path = Files.createTempFile("modelseal-npz-", ".tmp", ownerOnly);
    } else {
      path = Files.createTempFile("modelseal-npz-", ".tmp");
    }
    try {
      return new ScratchFile(
          FileChannel.open(
              path,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              StandardOpenOption.DELETE_ON_CLOSE));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(path);
      throw e;
    }
  }

  void append(byte[] b, int off, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    while (buf.hasRemaining()) {
      written += channel.write(buf, written);
    }
  }

  /** Maps what was written, read-only; valid until {@link #close}. */
  MemorySegment map() throws IOException {
    if (written == 0) {
      return MemorySegment.ofArray(new byte[0]);
    }
    return channel.map(FileChannel.MapMode.READ_ONLY, 0, written, arena);
  }

  @Override
  public void close() throws IOException {
    try {
      arena.close();
    } finally {
      channel.close();
    }
  }
}
