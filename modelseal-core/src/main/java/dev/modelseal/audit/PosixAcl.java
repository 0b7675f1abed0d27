package dev.modelseal.audit;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A file's POSIX access ACL, read with {@code lgetxattr(2)} of {@code system.posix_acl_access} (the
 * JDK's AclFileAttributeView is NFSv4-only and the {@code user.} view cannot see {@code system.}
 * names). The xattr is {@code u32 version=2} then {@code {u16 tag, u16 perm, u32 id}} entries,
 * little-endian.
 */
record PosixAcl(List<Entry> entries) {
  static final int USER_OBJ = 0x01;
  static final int USER = 0x02;
  static final int GROUP_OBJ = 0x04;
  static final int GROUP = 0x08;
  static final int MASK = 0x10;
  static final int OTHER = 0x20;
  static final int WRITE = 0x02;
  private static final int MAX_ENTRIES = 4096;

  record Entry(int tag, int perm, long id) {}

  PosixAcl {
    entries = List.copyOf(entries);
  }

  private static final MethodHandle LGETXATTR = bind();

  @SuppressWarnings("restricted") // libc lgetxattr, bound once; the jar enables native access.
  private static MethodHandle bind() {
    try {
      Linker linker = Linker.nativeLinker();
      return linker
          .defaultLookup()
          .find("lgetxattr")
          .map(
              a ->
                  linker.downcallHandle(
                      a,
                      FunctionDescriptor.of(
                          ValueLayout.JAVA_LONG,
                          ValueLayout.ADDRESS,
                          ValueLayout.ADDRESS,
                          ValueLayout.ADDRESS,
                          ValueLayout.JAVA_LONG)))
          .orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The ACL of {@code p} (not following a link); empty when it has only the mode bits. */
  static Optional<PosixAcl> read(Path p) throws AuditException {
    if (LGETXATTR == null) {
      return Optional.empty();
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment path = arena.allocateFrom(p.toString());
      MemorySegment name = arena.allocateFrom("system.posix_acl_access");
      int cap = 4 + 8 * MAX_ENTRIES;
      MemorySegment buf = arena.allocate(cap);
      long n = (long) LGETXATTR.invokeExact(path, name, buf, (long) cap);
      if (n < 0) {
        // ENODATA (no ACL) or ENOTSUP (file system without ACLs): only the mode bits apply.
        return Optional.empty();
      }
      return Optional.of(parse(buf.asSlice(0, n).asByteBuffer(), p));
    } catch (AuditException e) {
      throw e;
    } catch (Throwable t) {
      throw new AuditException("audit.acl-unreadable", p + ": cannot read its ACL: " + t);
    }
  }

  static PosixAcl parse(ByteBuffer b, Path p) throws AuditException {
    b = b.order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 4 || (b.remaining() - 4) % 8 != 0 || b.getInt() != 2) {
      throw new AuditException(
          "audit.acl-malformed", p + ": system.posix_acl_access is not a version 2 ACL");
    }
    List<Entry> out = new ArrayList<>();
    while (b.hasRemaining()) {
      out.add(
          new Entry(
              Short.toUnsignedInt(b.getShort()),
              Short.toUnsignedInt(b.getShort()),
              Integer.toUnsignedLong(b.getInt())));
    }
    return new PosixAcl(out);
  }

  /** The mask entry's permissions (all when there is none). */
  int mask() {
    return entries.stream()
        .filter(e -> e.tag() == MASK)
        .mapToInt(Entry::perm)
        .findFirst()
        .orElse(7);
  }

  /** Named user and group entries that grant write through the mask. */
  List<Entry> namedWriters() {
    int mask = mask();
    return entries.stream()
        .filter(e -> (e.tag() == USER || e.tag() == GROUP) && (e.perm() & mask & WRITE) != 0)
        .toList();
  }
}
