package dev.modelseal.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * A weight file opened once, without following symlinks, and mapped read-only. Everything ModelSeal
 * reads from the file (headers, hashes, tensor views) goes through this one channel, so the bytes
 * that were validated are the bytes that are handed over. {@link #checkUnchanged()} detects a file
 * that was replaced or modified while it was open.
 */
public final class ModelFile implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;
  private final Arena arena;
  private final MemorySegment segment;
  private final long size;
  private final FileTime modified;
  private final Object fileKey;
  private boolean closed;

  private ModelFile(
      Path path,
      FileChannel channel,
      Arena arena,
      MemorySegment segment,
      long size,
      FileTime modified,
      Object fileKey) {
    this.path = path;
    this.channel = channel;
    this.arena = arena;
    this.segment = segment;
    this.size = size;
    this.modified = modified;
    this.fileKey = fileKey;
  }

  /**
   * Opens {@code path} for reading. Symlinks are not followed; anything but a regular file
   * (directory, FIFO, socket, device, link) is refused before it is opened, so a FIFO cannot block
   * the reader.
   *
   * @throws FormatException {@code file.not-regular} or {@code file.changed-while-opening}
   */
  public static ModelFile open(Path path) throws IOException, FormatException {
    Objects.requireNonNull(path, "path");
    BasicFileAttributes before =
        java.nio.file.Files.readAttributes(
            path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!before.isRegularFile()) {
      throw new FormatException(
          "file.not-regular", path, -1, null, "not a regular file (" + kind(before) + ")");
    }
    FileChannel channel =
        FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    Arena arena = Arena.ofShared();
    try {
      long size = channel.size();
      BasicFileAttributes after =
          java.nio.file.Files.readAttributes(
              path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!Objects.equals(before.fileKey(), after.fileKey()) || size != after.size()) {
        throw new FormatException(
            "file.changed-while-opening", path, -1, null, "file was replaced while being opened");
      }
      MemorySegment segment =
          size == 0
              ? MemorySegment.ofArray(new byte[0])
              : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      return new ModelFile(
          path, channel, arena, segment, size, after.lastModifiedTime(), after.fileKey());
    } catch (IOException | FormatException | RuntimeException e) {
      arena.close();
      channel.close();
      throw e;
    }
  }

  /**
   * Bytes someone else already holds (an archive member being scanned, a file the caller mapped),
   * seen as a file named {@code name} so that the format readers can validate them. Such a file has
   * no channel of its own: {@link #channel()} throws, {@link #checkUnchanged()} has nothing to
   * check (the owner of the bytes checks its file), and {@link #close()} releases nothing.
   *
   * @param name the name the readers use in messages and, for a lone npy file, as the tensor name
   */
  public static ModelFile ofSegment(Path name, MemorySegment bytes) {
    Objects.requireNonNull(name, "name");
    MemorySegment readOnly = Objects.requireNonNull(bytes, "bytes").asReadOnly();
    return new ModelFile(name, null, null, readOnly, readOnly.byteSize(), null, null);
  }

  private static String kind(BasicFileAttributes a) {
    if (a.isDirectory()) {
      return "directory";
    }
    if (a.isSymbolicLink()) {
      return "symbolic link";
    }
    return "special file";
  }

  public Path path() {
    return path;
  }

  /** Size when opened; every structural check is made against this value. */
  public long size() {
    return size;
  }

  /** The whole file, read-only. Slices of it are bounds-checked by the FFM API. */
  public MemorySegment segment() {
    return segment.asReadOnly();
  }

  /**
   * The channel the file was opened through, for positional reads (hashing).
   *
   * @throws IllegalStateException for bytes wrapped by {@link #ofSegment}, which have no channel
   */
  public FileChannel channel() {
    if (channel == null) {
      throw new IllegalStateException("in-memory bytes have no channel: " + path);
    }
    return channel;
  }

  /**
   * Fails if the file's size, modification time or identity differ from when it was opened: a file
   * changed while ModelSeal read it must not be reported as verified.
   */
  public void checkUnchanged() throws IOException, FormatException {
    if (channel == null) {
      return; // bytes held by the caller (ofSegment): the caller checks the file behind them
    }
    BasicFileAttributes now =
        java.nio.file.Files.readAttributes(
            path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (channel.size() != size
        || now.size() != size
        || !now.lastModifiedTime().equals(modified)
        || !Objects.equals(now.fileKey(), fileKey)) {
      throw new FormatException(
          "file.changed", path, -1, null, "file changed while it was being read");
    }
  }

  /** Closes the mapping and the channel; closing again does nothing. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (channel == null) {
      return; // ofSegment: the bytes belong to the caller
    }
    try {
      arena.close();
    } finally {
      channel.close();
    }
  }
}
