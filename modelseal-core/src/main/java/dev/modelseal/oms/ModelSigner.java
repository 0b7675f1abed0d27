package dev.modelseal.oms;

import dev.modelseal.ModelSealException;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import dev.modelseal.format.WeightFormat;
import dev.modelseal.manifest.HashProgress;
import dev.modelseal.manifest.Manifest;
import dev.modelseal.manifest.ModelDigests;
import dev.modelseal.manifest.ModelHasher;
import dev.modelseal.manifest.ModelTree;
import dev.modelseal.manifest.ModelTreeException;
import dev.modelseal.manifest.ResourceDigest;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Signs models as OMS v1.0 bundles with the {@code key} or {@code certificate} method.
 *
 * <p>The statement names the model by its folder (or file) basename and lists every regular file
 * (or shard) sorted by the UTF-8 bytes of its name; the serialization policy records the default
 * ignores, the caller's ignore paths and the signature file (plus its {@value #COMPANION_SUFFIX}
 * companion) whenever they lie inside the model, so other OMS verifiers apply the same exclusions.
 */
public final class ModelSigner {
  /** Suffix of the companion file ModelSeal may write beside a signature; never signed. */
  public static final String COMPANION_SUFFIX = ".tensors";

  private final SigningKey key;
  private final List<X509Certificate> chain;
  private final List<String> ignorePaths;
  private final boolean allowSymlinks;
  private final long shardSize;
  private final HashProgress progress;

  private ModelSigner(Builder b) {
    this.key = b.key;
    this.chain = List.copyOf(b.chain);
    this.ignorePaths = List.copyOf(b.ignorePaths);
    this.allowSymlinks = b.allowSymlinks;
    this.shardSize = b.shardSize;
    this.progress = b.progress;
  }

  /** Starts a signer for the {@code key} method (or the certificate method, see the builder). */
  public static Builder builder(SigningKey key) {
    return new Builder(Objects.requireNonNull(key, "key"));
  }

  public TrustPolicy.Method method() {
    return chain.isEmpty() ? TrustPolicy.Method.KEY : TrustPolicy.Method.CERTIFICATE;
  }

  /**
   * Hashes {@code model} (folder or single file), signs it and writes the bundle to {@code
   * signature}, replacing an earlier one atomically.
   *
   * @throws SigningException {@value SigningException#NOTHING_TO_SIGN} when no file is left
   * @throws ModelTreeException when the model cannot be enumerated (links, special files)
   */
  public SignedModel sign(Path model, Path signature) throws IOException, ModelSealException {
    List<String> ignores = new ArrayList<>(ignorePaths);
    Optional<String> sigInside = IgnorePaths.relativeInside(model, signature);
    sigInside.ifPresent(ignores::add);
    IgnorePaths.relativeInside(model, companionOf(signature)).ifPresent(ignores::add);

    ModelTree tree = ModelTree.enumerate(model, ignores, allowSymlinks);
    if (tree.entries().isEmpty()) {
      throw new SigningException(
          SigningException.NOTHING_TO_SIGN, model + ": no file left to sign after the exclusions");
    }
    ModelHasher.Builder hb =
        ModelHasher.builder().ignorePaths(ignores).allowSymlinks(allowSymlinks).progress(progress);
    if (shardSize > 0) {
      hb.shards(shardSize);
    }
    // One pass gives the file digests and, for the tensor attestation, every tensor's CTD-1.
    hb.tensors(ModelSigner::attestable, ParseLimits.defaults());
    ModelDigests digests = hb.build().digest(tree);
    Manifest hashed = digests.manifest();

    List<ResourceDigest> sorted = new ArrayList<>(hashed.resources());
    sorted.sort(Comparator.comparing(ResourceDigest::name, ModelTree.UTF8_ORDER));
    TreeSet<String> recorded = new TreeSet<>(ModelTree.UTF8_ORDER);
    recorded.addAll(ModelTree.DEFAULT_IGNORES);
    recorded.addAll(ignores);
    Manifest manifest =
        new Manifest(
            hashed.method(),
            hashed.shardSize(),
            hashed.hashAlgorithm(),
            sorted,
            List.copyOf(recorded),
            allowSymlinks);

    writeAtomically(signature, signedBundle(OmsJsonWriter.statement(subjectName(model), manifest)));
    writeTensorAttestation(companionOf(signature), subjectName(model), manifest, digests);
    return new SignedModel(signature, manifest, method());
  }

  /**
   * Weight files for the tensor attestation: recognised by magic bytes only, and a file that does
   * not parse is left out of the attestation rather than refused: OMS signs bytes, whatever they
   * are.
   */
  private static Optional<WeightFile> attestable(ModelFile file, ParseLimits limits) {
    Optional<WeightFormat> format = WeightFiles.detect(file);
    if (format.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(WeightFiles.read(file, format.get(), limits));
    } catch (FormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes {@code model.sig.tensors} when the model has weight files, and removes a stale one
   * otherwise so that it can never describe another signature.
   */
  private void writeTensorAttestation(
      Path companion, String subject, Manifest manifest, ModelDigests digests) throws IOException {
    if (digests.weightFiles().isEmpty()) {
      Files.deleteIfExists(companion);
      return;
    }
    writeAtomically(
        companion,
        signedBundle(TensorAttestation.statement(subject, manifest.rootDigest(), digests)));
  }

  /**
   * A Sigstore bundle: {@code payload} (an in-toto statement) in a DSSE envelope signed with this
   * signer's key, with its verification material (key hint or certificate chain).
   */
  private byte[] signedBundle(byte[] payload) {
    byte[] sig = Ecdsa.sign(key, Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, payload));
    return chain.isEmpty()
        ? OmsJsonWriter.keyBundle(KeyFiles.keyHint(key.publicKey()), payload, sig)
        : OmsJsonWriter.certificateBundle(chain, payload, sig);
  }

  /** The companion file a signature may have: {@code model.sig} gives {@code model.sig.tensors}. */
  public static Path companionOf(Path signature) {
    Path name = signature.getFileName();
    return signature.resolveSibling((name == null ? "" : name.toString()) + COMPANION_SUFFIX);
  }

  private static String subjectName(Path model) {
    Path name = model.toAbsolutePath().normalize().getFileName();
    return name == null ? "model" : name.toString();
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = Files.createTempFile(dir, ".modelseal-", ".sig.tmp");
    try {
      Files.write(tmp, bytes);
      // A signature is public; temporary files are born owner-only.
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep its default permissions
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Builds a {@link ModelSigner}: files method, no extra ignores, no symlinks by default. */
  public static final class Builder {
    private final SigningKey key;
    private final List<X509Certificate> chain = new ArrayList<>();
    private final List<String> ignorePaths = new ArrayList<>();
    private boolean allowSymlinks;
    private long shardSize;
    private HashProgress progress = HashProgress.NONE;

    private Builder(SigningKey key) {
      this.key = key;
    }

    /**
     * Selects the certificate method: {@code leaf} must certify the signing key; {@code
     * intermediates} follow it in the bundle, in order.
     *
     * @throws KeyException {@code cert.key-mismatch} when the leaf's key is not the signing key's
     */
    public Builder certificate(X509Certificate leaf, List<X509Certificate> intermediates)
        throws KeyException {
      if (!(leaf.getPublicKey() instanceof java.security.interfaces.ECPublicKey pk)
          || !pk.getW().equals(key.publicKey().getW())
          || Curve.of(pk).orElse(null) != key.curve()) {
        throw new KeyException(
            "cert.key-mismatch",
            "the signing certificate "
                + leaf.getSubjectX500Principal().getName()
                + " does not certify the private key's public key");
      }
      chain.clear();
      chain.add(leaf);
      chain.addAll(intermediates);
      return this;
    }

    /**
     * Model-relative paths to leave out (whole-path prefixes, no globs); recorded in the signature.
     *
     * @throws ModelTreeException {@value IgnorePaths#BAD_USER_PATH} for a path that is not one
     */
    public Builder ignorePaths(List<String> paths) throws ModelTreeException {
      for (String p : paths) {
        ignorePaths.add(IgnorePaths.requireCanonical(p));
      }
      return this;
    }

    /** Follows symbolic links inside the model (recorded as {@code allow_symlinks: true}). */
    public Builder allowSymlinks(boolean allow) {
      this.allowSymlinks = allow;
      return this;
    }

    /** Selects the shards method with pieces of {@code size} bytes. */
    public Builder shardSize(long size) {
      if (size <= 0) {
        throw new IllegalArgumentException("shard size must be positive");
      }
      this.shardSize = size;
      return this;
    }

    public Builder progress(HashProgress progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    public ModelSigner build() {
      return new ModelSigner(this);
    }
  }
}
