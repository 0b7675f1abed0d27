package dev.modelseal.oms;

import dev.modelseal.digest.FileCapture;
import dev.modelseal.manifest.HashProgress;
import dev.modelseal.manifest.ModelEntry;
import dev.modelseal.oms.Bundle.ChainMaterial;
import dev.modelseal.oms.Bundle.KeyMaterial;
import dev.modelseal.oms.Bundle.KeylessMaterial;
import dev.modelseal.oms.SignerIdentity.CertificateSigner;
import dev.modelseal.oms.SignerIdentity.PublicKeySigner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Verifies models against OMS signatures (Sigstore bundles) under one {@link TrustPolicy}. Built
 * once, immutable, thread-safe. {@link #verify} returns a {@link VerifiedModel} or throws a {@link
 * VerificationException} naming the failed check; there is no boolean to forget.
 *
 * <p>Order of checks: bundle structure and media/payload type; the verification material against
 * the policy's method and trust material (key hint or embedded key, certificate chain); the DSSE
 * signature over the exact payload bytes; the statement (types, subject, predicate, resource names,
 * root digest); the model on disk (hashed once) against the manifest, reporting every difference.
 */
public final class ModelVerifier {
  private final TrustPolicy policy;
  private final StrictJson json;

  public ModelVerifier(TrustPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.json = new StrictJson(policy.limits());
  }

  public TrustPolicy policy() {
    return policy;
  }

  /**
   * Verifies {@code model} (a folder or a single file) against the bundle at {@code bundle}. The
   * bundle file is ignored when it lies inside the model.
   *
   * @throws VerificationException naming the failed rule; {@value VerificationException#IO_ERROR}
   *     (with the {@link IOException} as cause) when an input cannot be read
   */
  public VerifiedModel verify(Path model, Path bundle) throws VerificationException {
    return verify(model, bundle, HashProgress.NONE);
  }

  /**
   * As {@link #verify(Path, Path)}, reporting hashing progress to {@code progress} (called from
   * worker threads).
   */
  public VerifiedModel verify(Path model, Path bundle, HashProgress progress)
      throws VerificationException {
    return verify(model, bundle, progress, e -> FileCapture.NONE);
  }

  /**
   * As {@link #verify(Path, Path, HashProgress)}, giving each file's bytes, as they are hashed, to
   * the {@link FileCapture} {@code capture} returns for it: the seam through which {@code
   * dev.modelseal.guard} hands over the verified bytes themselves. Only files that are part of the
   * verified model are captured; when verification fails, whatever the captures hold is not
   * verified and theirs to release.
   */
  public VerifiedModel verify(
      Path model, Path bundle, HashProgress progress, Function<ModelEntry, FileCapture> capture)
      throws VerificationException {
    Objects.requireNonNull(capture, "capture");
    Bundle b = Bundle.parse(readBundle(bundle, policy.limits().maxBundleBytes()), json);
    Bundle.Material material = b.material();
    if (!material.method().equals(policy.method().id())) {
      throw new VerificationException(
          "oms.method-mismatch",
          "the bundle was made with the '"
              + material.method()
              + "' method, but verification was asked for the '"
              + policy.method().id()
              + "' method");
    }
    ECPublicKey key;
    SignerIdentity signer;
    switch (material) {
      case KeyMaterial km -> {
        key = policy.publicKeyOrNull();
        checkSameKey(km, key);
        signer = new PublicKeySigner(KeyFiles.keyHint(key), Curve.of(key).orElseThrow());
      }
      case ChainMaterial cm -> {
        X509Certificate leaf = cm.certificates().get(0);
        ChainValidator.validate(cm.certificates(), policy.trustAnchors(), Instant.now());
        List<String> names = new java.util.ArrayList<>(IdentityPolicy.alternativeNames(leaf));
        names.add(leaf.getSubjectX500Principal().getName());
        policy.identity().check(leaf, names, "oms.cert");
        key = leafKey(leaf);
        signer = certificateSigner(leaf);
      }
      case KeylessMaterial km -> {
        if (km.tlogEntries().isEmpty()) {
          throw new VerificationException(
              "oms.tlog-entries-missing",
              "a sigstore-method bundle must carry at least one transparency-log entry");
        }
        key = leafKey(km.leaf());
        SigstoreTrustRoot root = policy.sigstoreRootOrNull();
        if (root == null) {
          signer = certificateSigner(km.leaf());
        } else {
          KeylessCheck.Evidence ev = KeylessCheck.verify(km, b, root, policy.identity(), json);
          signer =
              new SignerIdentity.KeylessSigner(
                  ev.identity(),
                  ev.issuer().orElse(""),
                  ev.signingTime(),
                  ev.logIndex(),
                  ev.logUrl(),
                  certificateSigner(km.leaf()));
        }
      }
    }
    boolean legacyPae = verifySignature(key, b);
    SignedStatement statement = SignedStatement.parse(b.payload(), json);
    ManifestCheck.Outcome outcome;
    try {
      outcome =
          ManifestCheck.run(
              model,
              IgnorePaths.relativeInside(model, bundle),
              statement.manifest(),
              policy,
              progress,
              capture);
    } catch (VerificationException e) {
      if (!e.rule().equals(VerificationException.MODEL_MISMATCH)
          || policy.method() == TrustPolicy.Method.SIGSTORE) {
        throw e;
      }
      // Diagnostic only: name the changed tensors; the verification has failed regardless.
      List<String> tensorLines =
          TensorAttestation.explain(
              model,
              ModelSigner.companionOf(bundle),
              key,
              statement.manifest().rootDigest(),
              e.differences(),
              policy.limits());
      throw tensorLines.isEmpty() ? e : new VerificationException(e.differences(), tensorLines);
    }
    if (policy.method() == TrustPolicy.Method.SIGSTORE && policy.sigstoreRootOrNull() == null) {
      throw new VerificationException(
          "oms.keyless-trust-not-configured",
          "the signature and the model match the Fulcio certificate of "
              + signer.describe()
              + ", but keyless (sigstore) signatures need a Sigstore trusted root to check the"
              + " certificate and transparency log, and none is configured");
    }
    return new VerifiedModel(
        model, outcome.manifest(), signer, legacyPae || statement.legacy(), outcome.fileCount());
  }

  /**
   * Reads a bundle file of at most {@code max} bytes without reading more than that, whatever the
   * file's size.
   */
  static byte[] readBundle(Path bundle, long max, OpenOption... options)
      throws VerificationException {
    try (InputStream in = Files.newInputStream(bundle, options)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new VerificationException(
            "limit.max-bundle-bytes", bundle + ": bundle is larger than " + max + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw ManifestCheck.io(bundle, e);
    }
  }

  /** The bundle only names the key; the trusted key is always the caller's. */
  private static void checkSameKey(KeyMaterial km, ECPublicKey trusted)
      throws VerificationException {
    if (km.hint().isPresent() && !km.hint().get().equals(KeyFiles.keyHint(trusted))) {
      throw new VerificationException(
          "oms.key-mismatch",
          "the bundle was signed for key "
              + VerificationException.printable(km.hint().get())
              + ", not the given public key "
              + KeyFiles.keyHint(trusted));
    }
    if (km.pem().isPresent()) {
      ECPublicKey embedded;
      try {
        embedded =
            KeyFiles.parsePublicKey(
                km.pem().get().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "verificationMaterial.publicKey.rawBytes");
      } catch (KeyException e) {
        throw new VerificationException(Bundle.MALFORMED, e.getMessage(), e);
      }
      if (!embedded.getW().equals(trusted.getW())
          || Curve.of(embedded).orElseThrow() != Curve.of(trusted).orElseThrow()) {
        throw new VerificationException(
            "oms.key-mismatch",
            "the bundle carries public key "
                + KeyFiles.keyHint(embedded)
                + ", not the given public key "
                + KeyFiles.keyHint(trusted));
      }
    }
  }

  private static ECPublicKey leafKey(X509Certificate leaf) throws VerificationException {
    try {
      return KeyFiles.checkPublicKey(leaf.getPublicKey(), "the signing certificate");
    } catch (KeyException e) {
      throw new VerificationException("oms.key-unsupported", e.getMessage(), e);
    }
  }

  /**
   * Verifies the DSSE signature over the standard PAE with the curve's hash; failing that, over
   * model-transparency 0.2's faulty PAE with SHA-256 (what that version always used).
   *
   * @return true when only the legacy encoding verified
   */
  private static boolean verifySignature(ECPublicKey key, Bundle b) throws VerificationException {
    Curve curve = Curve.of(key).orElseThrow();
    byte[] payload = b.payload();
    byte[] sig = b.signature();
    if (Ecdsa.verify(key, curve.signatureAlgorithm(), Dsse.pae(b.payloadType(), payload), sig)) {
      return false;
    }
    if (Ecdsa.verify(key, "SHA256withECDSA", Dsse.legacyPae(payload), sig)) {
      return true;
    }
    throw new VerificationException(
        "oms.signature-invalid", "the DSSE signature does not verify with the signer's key");
  }

  /** rfc822Name (1), dNSName (2) and URI (6) entries; malformed extensions yield none. */
  private static java.util.List<String> alternativeNames(X509Certificate leaf) {
    java.util.List<String> out = new java.util.ArrayList<>();
    try {
      var sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (var san : sans) {
          if (san.size() == 2
              && san.get(0) instanceof Integer type
              && (type == 1 || type == 2 || type == 6)
              && san.get(1) instanceof String value) {
            out.add(VerificationException.printable(value));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return java.util.List.of();
    }
    return out;
  }

  private static CertificateSigner certificateSigner(X509Certificate leaf)
      throws VerificationException {
    try {
      byte[] fp = MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
      return new CertificateSigner(
          leaf.getSubjectX500Principal().getName(),
          leaf.getIssuerX500Principal().getName(),
          leaf.getSerialNumber().toString(16),
          HexFormat.of().formatHex(fp),
          leaf.getNotAfter().toInstant(),
          alternativeNames(leaf));
    } catch (CertificateEncodingException e) {
      throw new VerificationException(
          Bundle.MALFORMED, "the signing certificate cannot be encoded", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
