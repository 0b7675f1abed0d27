package dev.modelseal.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The user the model server runs as, resolved from {@code /etc/passwd} and {@code /etc/group}.
 *
 * @param name the login name
 * @param uid its user id
 * @param gids its primary group and every group that lists it as a member
 */
public record ServingUser(String name, long uid, Set<Long> gids) {
  private static final long MAX_DB_BYTES = 64L << 20;

  public ServingUser {
    gids = Set.copyOf(gids);
  }

  /** Looks {@code nameOrUid} up in the system's passwd and group files. */
  public static ServingUser lookUp(String nameOrUid) throws AuditException {
    return lookUp(nameOrUid, Path.of("/etc/passwd"), Path.of("/etc/group"));
  }

  static ServingUser lookUp(String who, Path passwd, Path group) throws AuditException {
    String name = null;
    long uid = -1;
    long gid = -1;
    for (String line : lines(passwd)) {
      String[] f = line.split(":", -1);
      if (f.length < 7) {
        continue;
      }
      if (f[0].equals(who) || f[2].equals(who)) {
        name = f[0];
        uid = number(f[2], passwd);
        gid = number(f[3], passwd);
        break;
      }
    }
    if (name == null) {
      throw new AuditException("audit.unknown-user", "no user '" + who + "' in " + passwd);
    }
    Set<Long> gids = new HashSet<>();
    gids.add(gid);
    for (String line : lines(group)) {
      String[] f = line.split(":", -1);
      if (f.length >= 4 && List.of(f[3].split(",", -1)).contains(name)) {
        gids.add(number(f[2], group));
      }
    }
    return new ServingUser(name, uid, gids);
  }

  private static long number(String s, Path file) throws AuditException {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new AuditException("audit.bad-user-database", file + ": '" + s + "' is not an id");
    }
  }

  private static List<String> lines(Path p) throws AuditException {
    try {
      if (Files.size(p) > MAX_DB_BYTES) {
        throw new AuditException("audit.bad-user-database", p + ": larger than 64 MiB");
      }
      return Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AuditException("audit.bad-user-database", p + ": " + e.getMessage());
    }
  }
}
