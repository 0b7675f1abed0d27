package dev.modelseal.oms;

import dev.modelseal.format.ParseLimits;
import dev.modelseal.manifest.ModelTreeException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link ModelVerifier} trusts and how strict it is. Defaults are strict: every file in the
 * model must be signed, symbolic links are refused, only the default and the signed ignore paths
 * apply. Each relaxation is an explicit builder call.
 *
 * <p>The signing method follows from the trust material: a public key verifies {@code key} bundles,
 * trust anchors verify {@code certificate} bundles, and {@link #sigstore()} selects keyless bundles
 * (which cannot pass until a Sigstore trusted root can be configured).
 */
public final class TrustPolicy {
  /** The OMS signing methods. */
  public enum Method {
    KEY("key"),
    CERTIFICATE("certificate"),
    SIGSTORE("sigstore");

    private final String id;

    Method(String id) {
      this.id = id;
    }

    /** The OMS name: key, certificate or sigstore. */
    public String id() {
      return id;
    }
  }

  private final Method method;
  private final ECPublicKey publicKey;
  private final List<X509Certificate> trustAnchors;
  private final boolean ignoreUnsignedFiles;
  private final boolean allowSymlinks;
  private final List<String> ignorePaths;
  private final ParseLimits limits;
  private final SigstoreTrustRoot sigstoreRoot;
  private final IdentityPolicy identity;

  private TrustPolicy(Builder b) {
    this.method = b.method;
    this.publicKey = b.publicKey;
    this.trustAnchors = List.copyOf(b.trustAnchors);
    this.ignoreUnsignedFiles = b.ignoreUnsignedFiles;
    this.allowSymlinks = b.allowSymlinks;
    this.ignorePaths = List.copyOf(b.ignorePaths);
    this.limits = b.limits;
    this.sigstoreRoot = b.sigstoreRoot;
    this.identity = b.identity;
  }

  /**
   * Trusts bundles signed by the private half of {@code key} ({@code key} method).
   *
   * @throws KeyException {@code key.unsupported} unless an EC key on P-256, P-384 or P-521
   */
  public static Builder publicKey(PublicKey key) throws KeyException {
    Builder b = new Builder(Method.KEY);
    b.publicKey = KeyFiles.checkPublicKey(Objects.requireNonNull(key, "key"), "public key");
    return b;
  }

  /** Trusts certificate chains that validate (PKIX) to one of {@code anchors}. */
  public static Builder trustAnchors(List<X509Certificate> anchors) {
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("at least one trust anchor is needed");
    }
    Builder b = new Builder(Method.CERTIFICATE);
    b.trustAnchors.addAll(anchors);
    return b;
  }

  /**
   * Keyless ({@code sigstore}) bundles: the signature and the model are checked against the
   * bundle's certificate, then verification is refused because no Sigstore trusted root is
   * configured ({@code oms.keyless-trust-not-configured}).
   */
  public static Builder sigstore() {
    return new Builder(Method.SIGSTORE);
  }

  /**
   * Keyless ({@code sigstore}) bundles checked offline against {@code root}: certificate chain,
   * embedded SCT, transparency-log entry and signing time, then the signer's identity and OIDC
   * issuer against {@code identity}, which must name both (a keyless certificate only says who
   * signed; without pinning who, any Fulcio user would pass).
   *
   * @throws IllegalArgumentException when {@code identity} lacks the identity or the issuer
   */
  public static Builder sigstore(SigstoreTrustRoot root, IdentityPolicy identity) {
    Objects.requireNonNull(root, "root");
    if (!identity.constrainsIdentity() || identity.issuer().isEmpty()) {
      throw new IllegalArgumentException(
          "keyless verification needs the signer's identity (exact or pattern) and OIDC issuer");
    }
    Builder b = new Builder(Method.SIGSTORE);
    b.sigstoreRoot = root;
    b.identity = identity;
    return b;
  }

  public Method method() {
    return method;
  }

  ECPublicKey publicKeyOrNull() {
    return publicKey;
  }

  List<X509Certificate> trustAnchors() {
    return trustAnchors;
  }

  /** The Sigstore trusted root, or null for keyless verification without one. */
  SigstoreTrustRoot sigstoreRootOrNull() {
    return sigstoreRoot;
  }

  /** Who must have signed (certificate and sigstore methods). */
  public IdentityPolicy identity() {
    return identity;
  }

  public boolean ignoreUnsignedFiles() {
    return ignoreUnsignedFiles;
  }

  public boolean allowSymlinks() {
    return allowSymlinks;
  }

  /** The caller's extra ignore paths (model-relative), applied on top of the signed ones. */
  public List<String> ignorePaths() {
    return ignorePaths;
  }

  public ParseLimits limits() {
    return limits;
  }

  /**
   * Builds a {@link TrustPolicy}; start from {@link #publicKey}, {@link #trustAnchors} or {@link
   * #sigstore}.
   */
  public static final class Builder {
    private final Method method;
    private ECPublicKey publicKey;
    private final List<X509Certificate> trustAnchors = new ArrayList<>();
    private boolean ignoreUnsignedFiles;
    private boolean allowSymlinks;
    private final List<String> ignorePaths = new ArrayList<>();
    private ParseLimits limits = ParseLimits.defaults();
    private SigstoreTrustRoot sigstoreRoot;
    private IdentityPolicy identity = IdentityPolicy.any();

    private Builder(Method method) {
      this.method = method;
    }

    /**
     * Relaxation: files in the model that the signature does not list are tolerated. Every signed
     * file must still match (for shards, its whole partition is recomputed, so bytes appended to a
     * signed file are still caught).
     */
    public Builder ignoreUnsignedFiles() {
      this.ignoreUnsignedFiles = true;
      return this;
    }

    /**
     * Relaxation: a bundle that records {@code allow_symlinks: true} may verify; links are followed
     * inside the model only. Without this, such a bundle is refused.
     */
    public Builder allowSymlinks() {
      this.allowSymlinks = true;
      return this;
    }

    /**
     * Relaxation: also ignore these model-relative paths (whole-path prefixes, no globs).
     *
     * @throws ModelTreeException {@value IgnorePaths#BAD_USER_PATH} for a path that is not one
     */
    public Builder ignorePaths(List<String> paths) throws ModelTreeException {
      for (String p : paths) {
        ignorePaths.add(IgnorePaths.requireCanonical(p));
      }
      return this;
    }

    /**
     * Certificate method: the leaf must carry this identity (a SAN or the subject DN, exactly or by
     * a whole-name pattern).
     *
     * @throws IllegalStateException for another method (keyless takes it in {@link #sigstore})
     */
    public Builder certificateIdentity(IdentityPolicy identity) {
      if (method != Method.CERTIFICATE) {
        throw new IllegalStateException("a certificate identity applies to the certificate method");
      }
      this.identity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    public Builder limits(ParseLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public TrustPolicy build() {
      return new TrustPolicy(this);
    }
  }
}
