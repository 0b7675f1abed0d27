package dev.modelseal.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The regular files of a model, enumerated exactly as OMS prescribes: recursive, relative {@code /}
 * paths, default and user ignore paths as whole-path prefixes, symlinks refused unless allowed (and
 * then never leaving the root or looping), special files refused, sorted by the UTF-8 bytes of the
 * names.
 */
public final class ModelTree {
  /** Ignored at the top level of every model (OMS). */
  public static final List<String> DEFAULT_IGNORES =
      List.of(".git", ".gitattributes", ".github", ".gitignore");

  /** Orders names by their UTF-8 bytes, as OMS signers must. */
  public static final Comparator<String> UTF8_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  private final Path root;
  private final boolean singleFile;
  private final List<ModelEntry> entries;

  private ModelTree(Path root, boolean singleFile, List<ModelEntry> entries) {
    this.root = root;
    this.singleFile = singleFile;
    this.entries = List.copyOf(entries);
  }

  /**
   * Enumerates {@code model}: a folder, or a single regular file (named by its basename).
   *
   * @param ignorePaths user ignore paths relative to the model root ({@code /}-separated, no
   *     globs); validated with {@link #checkRelativePath}
   */
  public static ModelTree enumerate(Path model, List<String> ignorePaths, boolean allowSymlinks)
      throws IOException, ModelTreeException {
    for (String p : ignorePaths) {
      checkRelativePath(p, "tree.bad-ignore-path");
    }
    BasicFileAttributes attrs =
        Files.readAttributes(model, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attrs.isSymbolicLink()) {
      if (!allowSymlinks) {
        throw new ModelTreeException(
            "tree.symlink-not-allowed", model + ": the model path is a symbolic link");
      }
      model = model.toRealPath();
      attrs = Files.readAttributes(model, BasicFileAttributes.class);
    }
    if (attrs.isRegularFile()) {
      Path name = model.getFileName();
      String base = name == null ? model.toString() : name.toString();
      return new ModelTree(model, true, List.of(new ModelEntry(base, model, attrs.size())));
    }
    if (!attrs.isDirectory()) {
      throw new ModelTreeException(
          "tree.special-file", model + ": not a regular file or directory");
    }
    Path realRoot = model.toRealPath();
    List<ModelEntry> out = new ArrayList<>();
    Set<Path> visiting = new HashSet<>();
    visiting.add(realRoot);
    walk(model, realRoot, "", ignorePaths, allowSymlinks, visiting, out);
    out.sort(Comparator.comparing(ModelEntry::name, UTF8_ORDER));
    return new ModelTree(model, false, out);
  }

  private static void walk(
      Path dir,
      Path realRoot,
      String prefix,
      List<String> ignores,
      boolean allowSymlinks,
      Set<Path> visiting,
      List<ModelEntry> out)
      throws IOException, ModelTreeException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(children::add);
    }
    for (Path child : children) {
      String rel = prefix + child.getFileName().toString();
      if (isIgnored(rel, ignores)) {
        continue;
      }
      checkRelativePath(rel, "tree.bad-file-name");
      BasicFileAttributes a =
          Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) {
        if (!allowSymlinks) {
          throw new ModelTreeException(
              "tree.symlink-not-allowed",
              rel + ": symbolic links are not allowed (pass --allow-symlinks to follow them)");
        }
        Path target;
        try {
          target = child.toRealPath();
        } catch (IOException e) {
          throw new ModelTreeException(
              "tree.symlink-broken", rel + ": symbolic link target cannot be resolved");
        }
        if (!target.startsWith(realRoot)) {
          throw new ModelTreeException(
              "tree.symlink-escapes-root", rel + ": symbolic link points outside the model");
        }
        BasicFileAttributes ta = Files.readAttributes(target, BasicFileAttributes.class);
        if (ta.isDirectory()) {
          if (!visiting.add(target)) {
            throw new ModelTreeException(
                "tree.symlink-cycle", rel + ": symbolic link forms a cycle");
          }
          // Walk the resolved folder, so the files found are opened by paths inside the root
          // rather than through a link that could be re-pointed before they are read.
          walk(target, realRoot, rel + "/", ignores, true, visiting, out);
          visiting.remove(target);
        } else if (ta.isRegularFile()) {
          out.add(new ModelEntry(rel, target, ta.size()));
        } else {
          throw new ModelTreeException(
              "tree.special-file", rel + ": link to a socket, FIFO or device");
        }
      } else if (a.isDirectory()) {
        Path real = child.toRealPath();
        if (!visiting.add(real)) {
          throw new ModelTreeException("tree.symlink-cycle", rel + ": directory cycle");
        }
        walk(child, realRoot, rel + "/", ignores, allowSymlinks, visiting, out);
        visiting.remove(real);
      } else if (a.isRegularFile()) {
        out.add(new ModelEntry(rel, child, a.size()));
      } else {
        throw new ModelTreeException(
            "tree.special-file", rel + ": sockets, FIFOs and devices cannot be part of a model");
      }
    }
  }

  /** Default ignores apply at the top level only; user ignores are whole-path prefixes. */
  static boolean isIgnored(String rel, List<String> ignores) {
    for (String d : DEFAULT_IGNORES) {
      if (rel.equals(d) || rel.startsWith(d + "/")) {
        return true;
      }
    }
    for (String p : ignores) {
      if (rel.equals(p) || rel.startsWith(p.endsWith("/") ? p : p + "/")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks a canonical relative name: non-empty, {@code /}-separated, no leading {@code /}, no
   * empty, {@code .} or {@code ..} segment, no backslash or NUL.
   */
  public static void checkRelativePath(String p, String rule) throws ModelTreeException {
    if (p.isEmpty() || p.startsWith("/") || p.indexOf('\\') >= 0 || p.indexOf('\0') >= 0) {
      throw new ModelTreeException(rule, "'" + p + "' is not a canonical relative path");
    }
    String trimmed = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    for (String seg : trimmed.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        throw new ModelTreeException(rule, "'" + p + "' is not a canonical relative path");
      }
    }
  }

  /** The model root as given (a folder, or the single file). */
  public Path root() {
    return root;
  }

  public boolean isSingleFile() {
    return singleFile;
  }

  /** Regular files in UTF-8 byte order of their names. */
  public List<ModelEntry> entries() {
    return entries;
  }

  /** The same tree restricted to the entries {@code keep} accepts (order preserved). */
  public ModelTree retain(java.util.function.Predicate<ModelEntry> keep) {
    return new ModelTree(root, singleFile, entries.stream().filter(keep).toList());
  }

  /**
   * Returns this tree, or fails when no file is left after exclusions: such a model cannot be
   * signed or verified (OMS). Hashing an empty tree is allowed (its root digest is SHA-256 of
   * nothing, as the reference tool's goldens show).
   */
  public ModelTree requireFiles() throws ModelTreeException {
    if (entries.isEmpty()) {
      throw new ModelTreeException(
          "tree.empty", root + ": no files left in the model after exclusions");
    }
    return this;
  }

  public long totalBytes() {
    long t = 0;
    for (ModelEntry e : entries) {
      t += e.size();
    }
    return t;
  }
}
