package dev.modelseal.oms;

import dev.modelseal.ModelSealException;
import dev.modelseal.digest.Digest;
import dev.modelseal.digest.FileCapture;
import dev.modelseal.manifest.HashProgress;
import dev.modelseal.manifest.Manifest;
import dev.modelseal.manifest.ModelEntry;
import dev.modelseal.manifest.ModelHasher;
import dev.modelseal.manifest.ModelTree;
import dev.modelseal.manifest.ResourceDigest;
import dev.modelseal.manifest.SerializationMethod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Compares a model on disk with a signed manifest: enumerates it under the signed policy (ignore
 * paths, symlinks) plus the caller's relaxations, hashes it once with {@link ModelHasher}, and
 * reports every missing, extra and changed resource.
 */
final class ManifestCheck {
  /**
   * @param manifest the signed manifest with single-file names resolved to the file's basename
   * @param fileCount distinct files the signed resources cover
   */
  record Outcome(Manifest manifest, int fileCount) {}

  private ManifestCheck() {}

  static Outcome run(
      Path model,
      Optional<String> bundleInside,
      Manifest signed,
      TrustPolicy policy,
      HashProgress progress,
      Function<ModelEntry, FileCapture> capture)
      throws VerificationException {
    if (signed.allowSymlinks() && !policy.allowSymlinks()) {
      throw new VerificationException(
          "oms.symlinks-not-allowed",
          "the signature was made following symbolic links (allow_symlinks: true);"
              + " verify with symlinks allowed to accept that");
    }
    Set<String> ignores = new LinkedHashSet<>(signed.ignorePaths());
    ignores.addAll(policy.ignorePaths());
    bundleInside.ifPresent(ignores::add);
    List<String> ignoreList = List.copyOf(ignores);

    ModelTree tree;
    try {
      tree = ModelTree.enumerate(model, ignoreList, signed.allowSymlinks());
    } catch (ModelSealException e) {
      throw rethrow(e);
    } catch (IOException e) {
      throw io(model, e);
    }

    boolean shards = signed.method() == SerializationMethod.SHARDS;
    String single = tree.isSingleFile() ? tree.entries().get(0).name() : null;
    Map<String, Digest> expected = new LinkedHashMap<>();
    List<ResourceDigest> resolved = new ArrayList<>(signed.resources().size());
    Set<String> signedFiles = new HashSet<>();
    for (ResourceDigest r : signed.resources()) {
      String name = r.name();
      String path;
      if (shards) {
        ResourceNames.Shard s = ResourceNames.parseShard(name, signed.shardSize().getAsLong());
        path = resolveDot(s.path(), single, name);
        name = path + ":" + s.start() + ":" + s.end();
      } else {
        path = resolveDot(name, single, name);
        name = path;
      }
      if (expected.put(name, r.digest()) != null) {
        throw new VerificationException(
            "oms.resource-duplicate",
            "resource '" + VerificationException.printable(name) + "' is listed more than once");
      }
      signedFiles.add(path);
      resolved.add(new ResourceDigest(name, r.digest()));
    }

    if (policy.ignoreUnsignedFiles()) {
      // Resource names are canonical (checked when parsed), so none can reach outside the root.
      tree = tree.retain(e -> signedFiles.contains(e.name()));
    }
    ModelHasher.Builder hb =
        ModelHasher.builder()
            .ignorePaths(ignoreList)
            .allowSymlinks(signed.allowSymlinks())
            .progress(progress)
            .capture(capture);
    if (shards) {
      // Every piece of each file is recomputed, so bytes appended to a signed file show up.
      hb.shards(signed.shardSize().getAsLong());
    }
    Manifest actual;
    try {
      actual = hb.build().hash(tree);
    } catch (ModelSealException e) {
      throw rethrow(e);
    } catch (IOException e) {
      throw io(model, e);
    }

    List<ModelDifference> diffs = new ArrayList<>();
    Map<String, Digest> found = new LinkedHashMap<>();
    for (ResourceDigest r : actual.resources()) {
      found.put(r.name(), r.digest());
    }
    for (Map.Entry<String, Digest> e : expected.entrySet()) {
      Digest a = found.get(e.getKey());
      if (a == null) {
        diffs.add(
            new ModelDifference(
                ModelDifference.Kind.MISSING,
                e.getKey(),
                Optional.of(e.getValue()),
                Optional.empty()));
      } else if (!a.equals(e.getValue())) {
        diffs.add(
            new ModelDifference(
                ModelDifference.Kind.CHANGED,
                e.getKey(),
                Optional.of(e.getValue()),
                Optional.of(a)));
      }
    }
    for (Map.Entry<String, Digest> e : found.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        diffs.add(
            new ModelDifference(
                ModelDifference.Kind.EXTRA,
                e.getKey(),
                Optional.empty(),
                Optional.of(e.getValue())));
      }
    }
    if (!diffs.isEmpty()) {
      diffs.sort(
          shards
              ? Comparator.comparing(ModelDifference::name, ManifestCheck::byPiece)
              : Comparator.comparing(ModelDifference::name, ModelTree.UTF8_ORDER));
      throw new VerificationException(diffs);
    }
    return new Outcome(
        new Manifest(
            signed.method(),
            signed.shardSize(),
            signed.hashAlgorithm(),
            resolved,
            signed.ignorePaths(),
            signed.allowSymlinks()),
        signedFiles.size());
  }

  /** Shard names ordered by file, then by offset (names here are well-formed). */
  private static int byPiece(String a, String b) {
    int ia = a.lastIndexOf(':', a.lastIndexOf(':') - 1);
    int ib = b.lastIndexOf(':', b.lastIndexOf(':') - 1);
    int c = ModelTree.UTF8_ORDER.compare(a.substring(0, ia), b.substring(0, ib));
    if (c != 0) {
      return c;
    }
    c = Long.compare(offset(a, ia), offset(b, ib));
    return c != 0 ? c : Long.compare(offset(a, a.lastIndexOf(':')), offset(b, b.lastIndexOf(':')));
  }

  /** The decimal number after the colon at {@code colon}. */
  private static long offset(String name, int colon) {
    int end = name.indexOf(':', colon + 1);
    return Long.parseLong(name.substring(colon + 1, end < 0 ? name.length() : end));
  }

  /**
   * model-transparency names a single-file model's resource {@code "."}; the spec uses the
   * basename. Both mean the one file; in a folder {@code "."} names nothing.
   */
  private static String resolveDot(String path, String single, String name)
      throws VerificationException {
    if (!path.equals(".")) {
      return path;
    }
    if (single == null) {
      throw new VerificationException(
          ResourceNames.INVALID,
          "resource name '"
              + VerificationException.printable(name)
              + "' denotes a single-file model, but the model is a folder");
    }
    return single;
  }

  private static VerificationException rethrow(ModelSealException e) {
    return new VerificationException(e.rule(), stripRule(e), e);
  }

  /** Messages of our exceptions start with "[rule] "; avoid repeating it. */
  private static String stripRule(ModelSealException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    String prefix = "[" + e.rule() + "] ";
    return m.replaceFirst(java.util.regex.Pattern.quote(prefix), "");
  }

  static VerificationException io(Path what, IOException e) {
    return new VerificationException(
        VerificationException.IO_ERROR, what + ": cannot be read: " + e, e);
  }
}
