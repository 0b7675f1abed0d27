package dev.modelseal.oms;

import dev.modelseal.manifest.ModelTreeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * OMS ignore paths: whole-path prefixes relative to the model root, {@code /}-separated, without
 * globs ({@code * ? [}), leading {@code /}, or {@code .}/{@code ..} segments (OMS 6.2.1).
 */
public final class IgnorePaths {
  /** The rule for an ignore path given by the user that is not one. */
  public static final String BAD_USER_PATH = "tree.bad-ignore-path";

  private IgnorePaths() {}

  /** The canonical form of {@code p} (one trailing {@code /} dropped), or empty if invalid. */
  static Optional<String> canonical(String p) {
    String s = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    if (s.isEmpty()
        || s.startsWith("/")
        || s.indexOf('\\') >= 0
        || s.indexOf('\0') >= 0
        || s.indexOf('*') >= 0
        || s.indexOf('?') >= 0
        || s.indexOf('[') >= 0) {
      return Optional.empty();
    }
    for (String seg : s.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        return Optional.empty();
      }
    }
    return Optional.of(s);
  }

  /**
   * The canonical form of a user-given model-relative path, as {@link #canonical} gives it.
   *
   * @throws ModelTreeException {@value #BAD_USER_PATH} for a path that is not one
   */
  static String requireCanonical(String p) throws ModelTreeException {
    return canonical(p)
        .orElseThrow(
            () ->
                new ModelTreeException(
                    BAD_USER_PATH,
                    "ignore path '" + p + "' must be model-relative, without globs or '..'"));
  }

  /**
   * Converts a user's ignore argument to a model-relative ignore path: an absolute path must lie
   * inside {@code model}; a relative one is taken relative to the model root.
   *
   * @throws ModelTreeException {@value #BAD_USER_PATH} for a path outside the model or with globs,
   *     {@code ..} or similar
   */
  public static String resolve(Path model, String arg) throws ModelTreeException {
    Path p;
    try {
      p = Path.of(arg);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ModelTreeException(BAD_USER_PATH, "ignore path '" + arg + "' is not a valid path");
    }
    String rel;
    if (p.isAbsolute()) {
      rel =
          relativeInside(model, p)
              .orElseThrow(
                  () ->
                      new ModelTreeException(
                          BAD_USER_PATH,
                          "ignore path " + arg + " is not inside the model " + model));
    } else {
      rel = slashes(p.normalize());
    }
    return canonical(rel)
        .orElseThrow(
            () ->
                new ModelTreeException(
                    BAD_USER_PATH,
                    "ignore path '"
                        + arg
                        + "' must be relative to the model root, without globs or '..'"));
  }

  /**
   * The path of {@code file} relative to the model folder {@code model}, when it lies inside it
   * (compared both as written and after resolving links); empty for a single-file model or a file
   * elsewhere. {@code file} need not exist.
   */
  public static Optional<String> relativeInside(Path model, Path file) {
    if (!Files.isDirectory(model)) {
      return Optional.empty();
    }
    Path root = model.toAbsolutePath().normalize();
    Path f = file.toAbsolutePath().normalize();
    if (f.startsWith(root) && !f.equals(root)) {
      return Optional.of(slashes(root.relativize(f)));
    }
    try {
      Path realRoot = model.toRealPath();
      Path parent = f.getParent();
      Path name = f.getFileName();
      if (parent == null || name == null || !Files.exists(parent)) {
        return Optional.empty();
      }
      Path realFile =
          Files.isSymbolicLink(f) || !Files.exists(f, LinkOption.NOFOLLOW_LINKS)
              ? parent.toRealPath().resolve(name)
              : f.toRealPath(LinkOption.NOFOLLOW_LINKS);
      if (realFile.startsWith(realRoot) && !realFile.equals(realRoot)) {
        return Optional.of(slashes(realRoot.relativize(realFile)));
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static String slashes(Path p) {
    StringBuilder sb = new StringBuilder();
    for (Path seg : p) {
      if (!sb.isEmpty()) {
        sb.append('/');
      }
      sb.append(seg);
    }
    return sb.toString();
  }
}
