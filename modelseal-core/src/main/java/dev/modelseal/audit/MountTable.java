package dev.modelseal.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The mounts of this process, from {@code /proc/self/mountinfo} (proc(5)). */
record MountTable(List<Mount> mounts) {
  private static final int MAX_LINES = 100_000;
  private static final Set<String> NETWORK =
      Set.of(
          "nfs",
          "nfs4",
          "cifs",
          "smb3",
          "smbfs",
          "9p",
          "ceph",
          "glusterfs",
          "afs",
          "lustre",
          "gpfs",
          "virtiofs",
          "davfs");

  /**
   * @param point where it is mounted (octal escapes decoded)
   * @param options the per-mount options ({@code rw} or {@code ro} first)
   * @param type the file system type
   */
  record Mount(String point, List<String> options, String type) {
    boolean readOnly() {
      return options.contains("ro");
    }

    boolean network() {
      return NETWORK.contains(type) || type.equals("fuse") || type.startsWith("fuse.");
    }
  }

  MountTable {
    mounts = List.copyOf(mounts);
  }

  static MountTable ofThisProcess() throws AuditException {
    Path info = Path.of("/proc/self/mountinfo");
    try {
      return parse(Files.readAllLines(info, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AuditException("audit.mounts-unreadable", info + ": " + e.getMessage());
    }
  }

  static MountTable parse(List<String> lines) throws AuditException {
    if (lines.size() > MAX_LINES) {
      throw new AuditException("audit.mounts-unreadable", "more than " + MAX_LINES + " mounts");
    }
    List<Mount> out = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split(" ", -1);
      int dash = List.of(f).indexOf("-");
      if (f.length < 10 || dash < 6 || dash + 2 >= f.length) {
        throw new AuditException("audit.mounts-malformed", "mountinfo line: " + line);
      }
      out.add(new Mount(unescape(f[4]), List.of(f[5].split(",", -1)), f[dash + 1]));
    }
    return new MountTable(out);
  }

  /** The kernel writes space, tab, newline and backslash in paths as {@code \ooo}. */
  static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && octal(s, i + 1)) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean octal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }

  /**
   * The mount holding {@code realPath}: the longest mount point that is a prefix, the last one
   * mounted on ties.
   */
  Optional<Mount> holding(Path realPath) {
    Mount best = null;
    for (Mount m : mounts) {
      Path point = Path.of(m.point());
      if (realPath.startsWith(point)
          && (best == null || point.getNameCount() >= Path.of(best.point()).getNameCount())) {
        best = m;
      }
    }
    return Optional.ofNullable(best);
  }
}
