package dev.modelseal.audit;

import dev.modelseal.scan.FileReport;
import dev.modelseal.scan.FileStatus;
import dev.modelseal.scan.Finding;
import dev.modelseal.scan.ScanReport;
import dev.modelseal.scan.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code modelseal audit}: who can change these weights? Every file under the model folder and
 * every folder above it up to {@code /}: mode, owner, POSIX ACL, set-id bits, links, what the
 * serving user could write, and the mount the model lives on. Rules {@code audit.*}.
 */
public final class PermissionAudit {
  private static final int MAX_FILES = 1_000_000;
  private static final int KEY_SNIFF_BYTES = 64 * 1024;
  private static final int S_ISUID = 04000;
  private static final int S_ISGID = 02000;
  private static final int S_ISVTX = 01000;

  private final ServingUser user;
  private final MountTable mounts;

  private PermissionAudit(ServingUser user, MountTable mounts) {
    this.user = user;
    this.mounts = mounts;
  }

  /** An audit on behalf of {@code user}, against this process's mounts. */
  public static PermissionAudit servingAs(ServingUser user) throws AuditException {
    return new PermissionAudit(user, MountTable.ofThisProcess());
  }

  public ScanReport audit(Path root) throws IOException, AuditException {
    Path abs = root.toAbsolutePath().normalize();
    if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
      throw new java.nio.file.NoSuchFileException(root.toString());
    }
    List<FileReport> reports = new ArrayList<>();
    Path realRoot = abs.toRealPath();
    // Ancestors first, from / down: any of them writable lets someone swap the whole tree.
    List<Path> ancestors = new ArrayList<>();
    for (Path a = realRoot.getParent(); a != null; a = a.getParent()) {
      ancestors.addFirst(a);
    }
    for (Path a : ancestors) {
      List<Finding> fs = new ArrayList<>();
      Attrs at = Attrs.of(a);
      String name = a.toString();
      if ((at.mode() & 0002) != 0 && (at.mode() & S_ISVTX) == 0) {
        fs.add(
            finding(
                "audit.ancestor-writable",
                Severity.CRITICAL,
                name,
                at,
                "world-writable folder above the model without the sticky bit: anyone can rename"
                    + " the model folder away and put another in its place",
                "chmod o-w " + q(name) + "  (or chmod +t " + q(name) + ")"));
      } else if ((at.mode() & 0020) != 0 && (at.mode() & S_ISVTX) == 0 && at.gid() != 0) {
        fs.add(
            finding(
                "audit.ancestor-writable",
                Severity.HIGH,
                name,
                at,
                "group-writable folder above the model: group " + at.gid() + " can swap the tree",
                "chmod g-w " + q(name)));
      }
      aclWriters(a, name, at, fs);
      if (user.uid() != 0 && canWrite(a, at) && (at.mode() & S_ISVTX) == 0) {
        fs.add(
            finding(
                "audit.serving-user-can-write",
                Severity.HIGH,
                name,
                at,
                "the serving user " + user.name() + " can write this folder above the model",
                "chown root:root " + q(name) + " && chmod go-w " + q(name)));
      }
      reports.add(new FileReport(name, "ancestor", FileStatus.SCANNED, "", fs));
    }
    mount(realRoot, abs, reports);
    for (Path p : tree(abs)) {
      reports.add(entry(abs, p));
    }
    return new ScanReport(root.toString(), reports);
  }

  private void mount(Path realRoot, Path abs, List<FileReport> reports) {
    Optional<MountTable.Mount> m = mounts.holding(realRoot);
    List<Finding> fs = new ArrayList<>();
    String name = m.map(MountTable.Mount::point).orElse("/");
    if (m.isPresent()) {
      MountTable.Mount mt = m.get();
      if (!mt.readOnly()) {
        fs.add(
            new Finding(
                "audit.mount-read-write",
                Severity.LOW,
                abs.toString(),
                "mount " + name,
                mt.type() + " " + String.join(",", mt.options()),
                "the model lives on a read-write mount: a read-only mount stops edits even by"
                    + " root's mistakes",
                0,
                0,
                "mount -o remount,ro "
                    + q(name)
                    + "  (or a read-only bind mount: mount --bind"
                    + " -o ro "
                    + q(abs.toString())
                    + " "
                    + q(abs.toString())
                    + ")"));
      }
      if (mt.network()) {
        fs.add(
            new Finding(
                "audit.network-filesystem",
                Severity.MEDIUM,
                abs.toString(),
                "mount " + name,
                mt.type(),
                "network or FUSE file system: its server (or the FUSE daemon) can change bytes"
                    + " after they were verified",
                0,
                0,
                "copy the verified model to local storage: modelseal verify --copy-to DIR"));
      }
    }
    reports.add(
        new FileReport(
            "mount " + name,
            "mount",
            m.isPresent() ? FileStatus.SCANNED : FileStatus.SKIPPED,
            m.isPresent() ? "" : "no mount holds it",
            fs));
  }

  private FileReport entry(Path root, Path p) throws IOException, AuditException {
    String rel =
        root.equals(p)
            ? p.getFileName() == null ? "/" : p.getFileName().toString()
            : root.relativize(p).toString();
    Attrs at = Attrs.of(p);
    List<Finding> fs = new ArrayList<>();
    String shown = p.toString();
    if (at.symlink()) {
      Path target = Files.readSymbolicLink(p);
      Path resolved = p.getParent() == null ? target : p.getParent().resolve(target).normalize();
      boolean outside = !resolved.startsWith(root);
      fs.add(
          new Finding(
              outside ? "audit.symlink-outside" : "audit.symlink",
              outside ? Severity.HIGH : Severity.LOW,
              rel,
              "",
              "-> " + target,
              outside
                  ? "symbolic link out of the model tree: whoever controls "
                      + resolved
                      + " controls these bytes"
                  : "symbolic link inside the model tree",
              0,
              0,
              outside
                  ? "cp --remove-destination "
                      + q(resolved.toString())
                      + " "
                      + q(shown)
                      + "  (replace the link by a verified copy)"
                  : ""));
      return new FileReport(rel, "symlink", FileStatus.SCANNED, "", fs);
    }
    int mode = at.mode();
    if ((mode & 0002) != 0 && !(at.directory() && (mode & S_ISVTX) != 0)) {
      fs.add(
          finding(
              "audit.world-writable",
              Severity.CRITICAL,
              rel,
              at,
              "anyone on the machine can change it",
              "chmod o-w " + q(shown)));
    }
    if ((mode & 0020) != 0) {
      fs.add(
          finding(
              "audit.group-writable",
              Severity.MEDIUM,
              rel,
              at,
              "members of group " + at.gid() + " can change it",
              "chmod g-w " + q(shown)));
    }
    if (!at.directory() && (mode & (S_ISUID | S_ISGID)) != 0) {
      fs.add(
          finding(
              "audit.setuid",
              Severity.HIGH,
              rel,
              at,
              "set-user/group-id bit on a model file: nothing in a model should run with other rights",
              "chmod u-s,g-s " + q(shown)));
    }
    aclWriters(p, rel, at, fs);
    if (at.regular() && at.nlink() > 1) {
      fs.add(
          finding(
              "audit.hard-link",
              Severity.MEDIUM,
              rel,
              at,
              at.nlink() + " names for these bytes: a writer of another name changes this file",
              "cp --preserve=mode "
                  + q(shown)
                  + " "
                  + q(shown + ".copy")
                  + " && mv "
                  + q(shown + ".copy")
                  + " "
                  + q(shown)));
    }
    if (user.uid() == 0) {
      if (at.regular()) {
        fs.add(
            finding(
                "audit.serving-user-can-write",
                Severity.HIGH,
                rel,
                at,
                "the server runs as root, which can write every file: it should need read only",
                "run the server as an unprivileged user with read access only"));
      }
    } else if (at.uid() == user.uid()) {
      fs.add(
          finding(
              "audit.serving-user-can-write",
              Severity.HIGH,
              rel,
              at,
              "owned by the serving user " + user.name() + ", who can chmod it writable at will",
              "chown root:root " + q(shown) + " && chmod a-w,a+r " + q(shown)));
    } else if (canWrite(p, at)) {
      fs.add(
          finding(
              "audit.serving-user-can-write",
              Severity.HIGH,
              rel,
              at,
              "the serving user " + user.name() + " can write it; it should need read only",
              "chmod a-w " + q(shown) + "  (and remove the ACL entry or group that grants it)"));
    }
    if (at.regular()) {
      secrets(p, rel, at, fs);
    }
    return new FileReport(
        rel,
        at.directory() ? "folder" : at.regular() ? "file" : "special",
        FileStatus.SCANNED,
        "",
        fs);
  }

  private static void secrets(Path p, String rel, Attrs at, List<Finding> fs) throws IOException {
    String name = p.getFileName().toString();
    if (name.endsWith(".sig") || name.endsWith(".sigstore.json") || name.endsWith(".sigstore")) {
      fs.add(
          finding(
              "audit.signature-in-tree",
              Severity.LOW,
              rel,
              at,
              "signature inside the served folder: whoever can replace the model can replace it too;"
                  + " keep it where the verifier reads it, apart from the weights",
              "mv " + q(p.toString()) + " /etc/modelseal/  (verify with --signature from there)"));
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      head = in.readNBytes(KEY_SNIFF_BYTES);
    } catch (IOException e) {
      return; // Unreadable to us: mode findings above still stand.
    }
    String s = new String(head, StandardCharsets.ISO_8859_1);
    int begin = s.indexOf("-----BEGIN ");
    if (begin >= 0) {
      int end = s.indexOf("-----", begin + 11);
      if (end > 0 && end - begin < 80 && s.substring(begin, end).endsWith("PRIVATE KEY")) {
        fs.add(
            finding(
                "audit.private-key",
                Severity.CRITICAL,
                rel,
                at,
                "PEM private key inside the served folder: whoever reads the model can re-sign it",
                "mv " + q(p.toString()) + " somewhere only the signer reads; rotate the key"));
      }
    }
  }

  private void aclWriters(Path p, String name, Attrs at, List<Finding> fs) throws AuditException {
    if (at.symlink()) {
      return;
    }
    Optional<PosixAcl> acl = PosixAcl.read(p);
    if (acl.isEmpty()) {
      return;
    }
    for (PosixAcl.Entry e : acl.get().namedWriters()) {
      String who = (e.tag() == PosixAcl.USER ? "u:" : "g:") + e.id();
      fs.add(
          finding(
              "audit.acl-write",
              Severity.HIGH,
              name,
              at,
              "ACL entry " + who + " grants write",
              "setfacl -x " + who + " " + q(p.toString())));
    }
  }

  /** Whether the serving user may write {@code p}, by the POSIX ACL algorithm (acl(5)). */
  private boolean canWrite(Path p, Attrs at) throws AuditException {
    int mode = at.mode();
    if (at.uid() == user.uid()) {
      return (mode & 0200) != 0;
    }
    Optional<PosixAcl> acl = at.symlink() ? Optional.empty() : PosixAcl.read(p);
    if (acl.isPresent()) {
      int mask = acl.get().mask();
      for (PosixAcl.Entry e : acl.get().entries()) {
        if (e.tag() == PosixAcl.USER && e.id() == user.uid()) {
          return (e.perm() & mask & PosixAcl.WRITE) != 0;
        }
      }
      boolean inGroup = false;
      for (PosixAcl.Entry e : acl.get().entries()) {
        boolean match =
            (e.tag() == PosixAcl.GROUP_OBJ && user.gids().contains(at.gid()))
                || (e.tag() == PosixAcl.GROUP && user.gids().contains(e.id()));
        if (match) {
          inGroup = true;
          if ((e.perm() & mask & PosixAcl.WRITE) != 0) {
            return true;
          }
        }
      }
      if (inGroup) {
        return false;
      }
      return (mode & 0002) != 0;
    }
    if (user.gids().contains(at.gid())) {
      return (mode & 0020) != 0;
    }
    return (mode & 0002) != 0;
  }

  private static Finding finding(
      String rule, Severity s, String file, Attrs at, String message, String fix) {
    return new Finding(rule, s, file, "", at.describe(), message, 0, 0, fix);
  }

  /** Quotes a path for a shell command line. */
  static String q(String path) {
    return path.matches("[A-Za-z0-9_./:@%+=,-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
  }

  private static List<Path> tree(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            add(dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            add(file);
            return FileVisitResult.CONTINUE;
          }

          private void add(Path p) throws IOException {
            if (out.size() >= MAX_FILES) {
              throw new IOException("limit.max-audit-files: more than " + MAX_FILES + " entries");
            }
            out.add(p);
          }
        });
    return out;
  }

  /** The unix attributes the rules read, taken without following links. */
  record Attrs(
      int mode,
      long uid,
      long gid,
      int nlink,
      boolean symlink,
      boolean directory,
      boolean regular) {
    static Attrs of(Path p) throws IOException {
      Map<String, Object> a =
          Files.readAttributes(
              p,
              "unix:mode,uid,gid,nlink,isSymbolicLink,isDirectory,isRegularFile",
              LinkOption.NOFOLLOW_LINKS);
      return new Attrs(
          (Integer) a.get("mode") & 07777,
          Integer.toUnsignedLong((Integer) a.get("uid")),
          Integer.toUnsignedLong((Integer) a.get("gid")),
          (Integer) a.get("nlink"),
          (Boolean) a.get("isSymbolicLink"),
          (Boolean) a.get("isDirectory"),
          (Boolean) a.get("isRegularFile"));
    }

    String describe() {
      return String.format(java.util.Locale.ROOT, "mode %04o uid %d gid %d", mode, uid, gid);
    }
  }
}
