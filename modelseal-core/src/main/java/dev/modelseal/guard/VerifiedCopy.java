package dev.modelseal.guard;

import dev.modelseal.digest.FileCapture;
import dev.modelseal.manifest.HashProgress;
import dev.modelseal.manifest.ModelEntry;
import dev.modelseal.oms.ModelVerifier;
import dev.modelseal.oms.VerificationException;
import dev.modelseal.oms.VerifiedModel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * {@code verify --copy-to DIR}: the hand-off for loaders that only take a path. Every file is
 * hashed while it is copied into a new private folder beside {@code DIR} (mode 0700, same file
 * system): the bytes written are the bytes hashed, from the one read of the source, which is never
 * read again. Only when the whole model verified from those bytes are the files made 0444, the
 * folders 0555, everything synced, and the folder renamed to {@code DIR} in one step. On any
 * failure {@code DIR} does not appear and the private folder is removed.
 */
public final class VerifiedCopy {
  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final Set<PosixFilePermission> READ_ONLY_FILE =
      PosixFilePermissions.fromString("r--r--r--");
  private static final Set<PosixFilePermission> READ_ONLY_DIR =
      PosixFilePermissions.fromString("r-xr-xr-x");

  private VerifiedCopy() {}

  /**
   * Verifies {@code model} against {@code signature} while copying it to {@code dir}, which must
   * not exist.
   *
   * @throws VerificationException the copied bytes do not match a trusted signature
   * @throws GuardException {@code copy.target-exists}, {@code copy.target-parent-missing}, {@code
   *     copy.write-failed} (no space left, for example); the cause is the {@link IOException}
   */
  public static VerifiedModel copy(
      ModelVerifier verifier, Path model, Path signature, Path dir, HashProgress progress)
      throws VerificationException, GuardException {
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null) {
      throw new GuardException(
          "copy.target-exists", target + ": cannot copy onto the root folder", null);
    }
    checkAbsent(target);
    if (!Files.isDirectory(parent)) {
      throw new GuardException(
          "copy.target-parent-missing",
          parent + ": no such folder to hold " + target.getFileName(),
          new NoSuchFileException(parent.toString()));
    }
    Path temp;
    try {
      temp = Files.createTempDirectory(parent, ".modelseal-", PRIVATE_DIR);
    } catch (IOException e) {
      throw writeFailed(target, e);
    }
    Map<String, Copy> copies = new ConcurrentHashMap<>();
    boolean done = false;
    try {
      VerifiedModel v;
      try {
        v =
            verifier.verify(
                model,
                signature,
                progress,
                e -> copies.computeIfAbsent(e.name(), n -> new Copy(temp, e)));
      } catch (VerificationException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
          if (c instanceof WriteFailure w) {
            throw writeFailed(target, w.getCause() instanceof IOException io ? io : w);
          }
        }
        throw e;
      }
      try {
        List<Copy> all = new ArrayList<>(copies.values());
        for (Copy c : all) {
          c.finish();
        }
        sealFolders(temp);
        checkAbsent(target);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        done = true;
        sync(parent);
      } catch (IOException e) {
        throw writeFailed(target, e);
      }
      return v;
    } finally {
      if (!done) {
        for (Copy c : copies.values()) {
          c.abandon();
        }
        remove(temp);
      }
    }
  }

  private static void checkAbsent(Path target) throws GuardException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new GuardException(
          "copy.target-exists",
          target + ": already exists; --copy-to makes a new folder and never overwrites one",
          new FileAlreadyExistsException(target.toString()));
    }
  }

  private static GuardException writeFailed(Path target, IOException e) {
    String why =
        e.getMessage() != null && e.getMessage().contains("No space left")
            ? "no space left on the device"
            : String.valueOf(e.getMessage());
    return new GuardException(
        "copy.write-failed", target + ": cannot write the verified copy: " + why, e);
  }

  /** Folders 0555 from the deepest up, each synced so the rename publishes complete contents. */
  private static void sealFolders(Path temp) throws IOException {
    List<Path> dirs;
    try (Stream<Path> s = Files.walk(temp)) {
      dirs = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    List<Path> deepestFirst = new ArrayList<>(dirs);
    deepestFirst.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path d : deepestFirst) {
      sync(d);
      Files.setPosixFilePermissions(d, READ_ONLY_DIR);
    }
  }

  private static void sync(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    }
  }

  /** Best effort: the private folder of a failed copy, made writable again and deleted. */
  private static void remove(Path temp) {
    try (Stream<Path> s = Files.walk(temp)) {
      List<Path> all = new ArrayList<>(s.toList());
      for (Path p : all) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
      }
      all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Nothing more can be done; the folder is private (0700) and named .modelseal-*.
    }
  }

  /** An I/O failure writing the copy (as opposed to reading the model). */
  private static final class WriteFailure extends IOException {
    private static final long serialVersionUID = 1L;

    WriteFailure(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** One file's copy: written from the window the engine hashes, positionally. */
  private static final class Copy implements FileCapture {
    private final Path temp;
    private final ModelEntry entry;
    private FileChannel out; // guarded by this

    Copy(Path temp, ModelEntry entry) {
      this.temp = temp;
      this.entry = entry;
    }

    private synchronized FileChannel out() throws IOException {
      if (out == null) {
        // Names are canonical relative paths (checked when the tree was enumerated).
        Path p = temp.resolve(entry.name());
        Path parent = p.getParent();
        if (parent != null && !parent.equals(temp)) {
          Files.createDirectories(parent, PRIVATE_DIR);
        }
        out = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      }
      return out;
    }

    @Override
    public void read(MemorySegment data, long pos) throws IOException {
      try {
        FileChannel c = out();
        ByteBuffer bb = data.asByteBuffer();
        while (bb.hasRemaining()) {
          c.write(bb, pos + bb.position());
        }
      } catch (IOException e) {
        throw new WriteFailure(e);
      }
    }

    /** Synced, closed, 0444; an empty file (never read) is created here. */
    void finish() throws IOException {
      FileChannel c = out();
      if (c.size() != entry.size()) {
        throw new IOException(
            entry.name() + ": copy has " + c.size() + " bytes, not " + entry.size());
      }
      c.force(true);
      c.close();
      Files.setPosixFilePermissions(temp.resolve(entry.name()), READ_ONLY_FILE);
    }

    synchronized void abandon() {
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          // The file is deleted next.
        }
      }
    }
  }
}
