package dev.modelseal.oms;

import static dev.modelseal.oms.StrictJson.array;
import static dev.modelseal.oms.StrictJson.base64;
import static dev.modelseal.oms.StrictJson.element;
import static dev.modelseal.oms.StrictJson.object;
import static dev.modelseal.oms.StrictJson.text;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.oms.Bundle.KeylessMaterial;
import dev.modelseal.oms.SigstoreTrustRoot.Authority;
import dev.modelseal.oms.SigstoreTrustRoot.LogKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Sigstore checks of a keyless bundle, offline, against a {@link SigstoreTrustRoot}: what the
 * Sigstore clients (sigstore-python's and sigstore-go's verifiers) check, each failure under its
 * own rule. In order:
 *
 * <ol>
 *   <li>every transparency-log entry: its log is in the root ({@code sigstore.tlog-key-unknown});
 *       its kind is one this verifier reads, {@code dsse} 0.0.1 or {@code intoto} 0.0.2; its body
 *       records this envelope's payload hash, this signature and this certificate ({@code
 *       sigstore.tlog-body-mismatch}); its signed entry timestamp, where present, is the log's
 *       signature over body, time and index ({@code sigstore.set-invalid}); its inclusion proof
 *       leads from the body's leaf hash to the root hash ({@code sigstore.inclusion-proof-invalid})
 *       of a checkpoint the same log signed ({@code sigstore.checkpoint-signature-invalid});
 *   <li>the signing time: the integrated time of an entry whose SET verified (a time the log
 *       signed), inside the log key's validity ({@code sigstore.tlog-key-not-valid-at-time}) and
 *       the certificate's ({@code sigstore.integrated-time-outside-validity});
 *   <li>the certificate: usable for code signing, chaining (PKIX, at the signing time) to a Fulcio
 *       CA of the root ({@code sigstore.chain-untrusted}) whose validity holds the signing time
 *       ({@code sigstore.ca-not-valid-at-signing-time});
 *   <li>an embedded SCT from a CT log of the root ({@code sigstore.sct-missing}, {@code
 *       sigstore.sct-log-unknown}, {@code sigstore.sct-invalid});
 *   <li>the identity and OIDC issuer the caller requires ({@code sigstore.identity-mismatch},
 *       {@code sigstore.issuer-mismatch}).
 * </ol>
 *
 * The DSSE signature itself is checked by {@link ModelVerifier} afterwards, with the leaf's key.
 */
final class KeylessCheck {
  /** Bundles carry one entry; a few more are tolerated, each one checked. */
  static final int MAX_TLOG_ENTRIES = 8;

  private static final HexFormat HEX = HexFormat.of();

  private KeylessCheck() {}

  /** What the checks established, for the verification result. */
  record Evidence(
      Instant signingTime,
      long logIndex,
      String logUrl,
      String caSubject,
      String identity,
      Optional<String> issuer) {}

  static Evidence verify(
      KeylessMaterial km,
      Bundle bundle,
      SigstoreTrustRoot root,
      IdentityPolicy identity,
      StrictJson json)
      throws VerificationException {
    X509Certificate leaf = km.leaf();
    if (km.tlogEntries().isEmpty()) {
      throw new VerificationException(
          "oms.tlog-entries-missing",
          "a sigstore-method bundle must carry at least one transparency-log entry");
    }
    if (km.tlogEntries().size() > MAX_TLOG_ENTRIES) {
      throw new VerificationException(
          Bundle.MALFORMED,
          "the bundle carries more than " + MAX_TLOG_ENTRIES + " transparency-log entries");
    }
    Optional<Instant> signingTime = Optional.empty();
    TlogEntry timed = null;
    LogKey timedLog = null;
    for (int i = 0; i < km.tlogEntries().size(); i++) {
      TlogEntry e = TlogEntry.parse(km.tlogEntries().get(i), i);
      LogKey log = checkEntry(e, bundle, leaf, root, json);
      if (e.signedEntryTimestamp().isPresent() && signingTime.isEmpty()) {
        signingTime = Optional.of(Instant.ofEpochSecond(e.integratedTime()));
        timed = e;
        timedLog = log;
      }
    }
    if (signingTime.isEmpty()) {
      throw new VerificationException(
          "sigstore.no-verified-time",
          "no transparency-log entry carries a signed entry timestamp, so there is no signing time"
              + " the log vouches for (RFC 3161 timestamps alone are not accepted yet)");
    }
    Instant t = signingTime.get();
    if (!timedLog.validFor().contains(t)) {
      throw new VerificationException(
          "sigstore.tlog-key-not-valid-at-time",
          "the log entry was integrated at "
              + t
              + ", outside the validity of the log key ("
              + timedLog.validFor()
              + ")");
    }
    checkLeafTime(leaf, t);
    try {
      ChainValidator.checkUsage(leaf);
    } catch (VerificationException e) {
      throw new VerificationException("sigstore.cert-key-usage", strip(e.getMessage()), e);
    }
    Authority ca = checkChain(leaf, root, t);
    checkScts(leaf, ca.chain().get(0), root);
    List<String> names = IdentityPolicy.alternativeNames(leaf);
    Optional<String> matched = identity.check(leaf, names, "sigstore");
    return new Evidence(
        t,
        timed.logIndex(),
        timedLog.baseUrl(),
        ca.chain().get(ca.chain().size() - 1).getSubjectX500Principal().getName(),
        matched.orElse(names.isEmpty() ? "" : names.get(0)),
        IdentityPolicy.oidcIssuer(leaf));
  }

  // ---- transparency log ----

  private static LogKey checkEntry(
      TlogEntry e, Bundle bundle, X509Certificate leaf, SigstoreTrustRoot root, StrictJson json)
      throws VerificationException {
    LogKey log =
        root.tlog(e.logId())
            .orElseThrow(
                () ->
                    new VerificationException(
                        "sigstore.tlog-key-unknown",
                        "the entry was logged by log "
                            + Base64.getEncoder().encodeToString(e.logId())
                            + ", which the trusted root does not list"));
    checkBody(e, bundle, leaf, json);
    if (e.signedEntryTimestamp().isPresent()) {
      String set =
          "{\"body\":\""
              + Base64.getEncoder().encodeToString(e.body())
              + "\",\"integratedTime\":"
              + e.integratedTime()
              + ",\"logID\":\""
              + HEX.formatHex(e.logId())
              + "\",\"logIndex\":"
              + e.logIndex()
              + "}";
      if (!verifySignature(
          log.key(), set.getBytes(StandardCharsets.UTF_8), e.signedEntryTimestamp().get())) {
        throw new VerificationException(
            "sigstore.set-invalid",
            "the signed entry timestamp of log entry "
                + e.logIndex()
                + " does not verify with the log's key");
      }
    }
    if (e.proof().isEmpty()) {
      throw new VerificationException(
          "sigstore.inclusion-proof-missing",
          "log entry " + e.logIndex() + " has no inclusion proof (bundle v0.3 requires one)");
    }
    TlogEntry.InclusionProof p = e.proof().get();
    byte[] computed =
        MerkleInclusion.rootFromProof(
            p.logIndex(), p.treeSize(), MerkleInclusion.leafHash(e.body()), p.hashes());
    if (computed == null || !MessageDigest.isEqual(computed, p.rootHash())) {
      throw new VerificationException(
          "sigstore.inclusion-proof-invalid",
          "the inclusion proof of log entry "
              + e.logIndex()
              + " does not lead to root "
              + Base64.getEncoder().encodeToString(p.rootHash())
              + " of a tree of "
              + p.treeSize()
              + " entries");
    }
    Checkpoint cp = Checkpoint.parse(p.checkpoint());
    if (cp.treeSize() != p.treeSize() || !MessageDigest.isEqual(cp.rootHash(), p.rootHash())) {
      throw new VerificationException(
          "sigstore.inclusion-proof-invalid",
          "the checkpoint is for a tree of "
              + cp.treeSize()
              + " entries with another root than the inclusion proof's");
    }
    boolean signed = false;
    for (Checkpoint.NoteSignature s : cp.signaturesFor(e.logId())) {
      if (verifySignature(log.key(), cp.signedText(), s.signature())) {
        signed = true;
        break;
      }
    }
    if (!signed) {
      throw new VerificationException(
          "sigstore.checkpoint-signature-invalid",
          "the checkpoint of log entry "
              + e.logIndex()
              + " is not signed by the key of the log that logged it ("
              + VerificationException.printable(cp.firstSigner().orElse("no signer"))
              + ")");
    }
    return log;
  }

  /** The body Rekor stored must be this envelope's: payload hash, signature and certificate. */
  private static void checkBody(TlogEntry e, Bundle bundle, X509Certificate leaf, StrictJson json)
      throws VerificationException {
    String rule = "sigstore.tlog-body-mismatch";
    ObjectNode body = json.parseObject(e.body(), "the log entry body", rule);
    String kind = text(body, "kind", "log entry body", rule);
    String version = text(body, "apiVersion", "log entry body", rule);
    if (!kind.equals(e.kind()) || !version.equals(e.version())) {
      throw new VerificationException(
          rule,
          "the log entry body is "
              + VerificationException.printable(kind + " " + version)
              + ", but the entry says "
              + VerificationException.printable(e.kind() + " " + e.version()));
    }
    ObjectNode spec = object(body, "spec", "log entry body", rule);
    String payloadHash;
    byte[] signature;
    byte[] verifier;
    if (kind.equals("dsse") && version.equals("0.0.1")) {
      payloadHash = sha256Hex(object(spec, "payloadHash", "spec", rule), rule);
      ArrayNode sigs = array(spec, "signatures", "spec", rule);
      if (sigs.size() != 1) {
        throw new VerificationException(
            rule, "the log entry records " + sigs.size() + " signatures, the envelope one");
      }
      ObjectNode s = element(sigs, 0, "spec.signatures", rule);
      signature = base64(s, "signature", "spec.signatures[0]", rule);
      verifier = base64(s, "verifier", "spec.signatures[0]", rule);
    } else if (kind.equals("intoto") && version.equals("0.0.2")) {
      ObjectNode content = object(spec, "content", "spec", rule);
      payloadHash = sha256Hex(object(content, "payloadHash", "spec.content", rule), rule);
      ObjectNode env = object(content, "envelope", "spec.content", rule);
      if (!text(env, "payloadType", "spec.content.envelope", rule).equals(bundle.payloadType())) {
        throw new VerificationException(rule, "the log entry records another payload type");
      }
      ArrayNode sigs = array(env, "signatures", "spec.content.envelope", rule);
      if (sigs.size() != 1) {
        throw new VerificationException(
            rule, "the log entry records " + sigs.size() + " signatures, the envelope one");
      }
      ObjectNode s = element(sigs, 0, "spec.content.envelope.signatures", rule);
      // intoto 0.0.2 stores the DSSE signature base64-encoded once more.
      byte[] sigB64 = base64(s, "sig", "spec.content.envelope.signatures[0]", rule);
      try {
        signature = Base64.getDecoder().decode(sigB64);
      } catch (IllegalArgumentException ex) {
        throw new VerificationException(rule, "the log entry's signature is not base64", ex);
      }
      verifier = base64(s, "publicKey", "spec.content.envelope.signatures[0]", rule);
    } else {
      throw new VerificationException(
          "sigstore.tlog-kind-unsupported",
          "log entries of kind "
              + VerificationException.printable(kind + " " + version)
              + " are not supported (dsse 0.0.1 and intoto 0.0.2 are)");
    }
    if (!payloadHash.equals(HEX.formatHex(EmbeddedScts.sha256(bundle.payload())))) {
      throw new VerificationException(
          rule, "the log entry records another payload (hash " + payloadHash + ")");
    }
    if (!MessageDigest.isEqual(signature, bundle.signature())) {
      throw new VerificationException(rule, "the log entry records another signature");
    }
    X509Certificate logged;
    try {
      logged =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new java.io.ByteArrayInputStream(verifier));
    } catch (GeneralSecurityException | RuntimeException ex) {
      throw new VerificationException(rule, "the log entry's verifier is not a certificate", ex);
    }
    if (!logged.equals(leaf)) {
      throw new VerificationException(rule, "the log entry records another certificate");
    }
  }

  private static String sha256Hex(ObjectNode hash, String rule) throws VerificationException {
    String alg = text(hash, "algorithm", "hash", rule);
    String value = text(hash, "value", "hash", rule);
    if (!alg.equals("sha256") || !value.matches("[0-9a-f]{64}")) {
      throw new VerificationException(rule, "the log entry's payload hash is not a SHA-256");
    }
    return value;
  }

  // ---- time and certificate ----

  @SuppressWarnings("JavaUtilDate") // X509Certificate and PKIX take java.util.Date
  private static void checkLeafTime(X509Certificate leaf, Instant t) throws VerificationException {
    if (t.isBefore(leaf.getNotBefore().toInstant()) || t.isAfter(leaf.getNotAfter().toInstant())) {
      throw new VerificationException(
          "sigstore.integrated-time-outside-validity",
          "the signature was logged at "
              + t
              + ", outside the signing certificate's validity ("
              + leaf.getNotBefore().toInstant()
              + " to "
              + leaf.getNotAfter().toInstant()
              + ")");
    }
  }

  @SuppressWarnings("JavaUtilDate") // PKIX takes java.util.Date
  private static Authority checkChain(X509Certificate leaf, SigstoreTrustRoot root, Instant t)
      throws VerificationException {
    Authority outsideValidity = null;
    String lastReason = "no CA is configured";
    for (Authority ca : root.certificateAuthorities()) {
      List<X509Certificate> path = new ArrayList<>();
      path.add(leaf);
      path.addAll(ca.chain().subList(0, ca.chain().size() - 1));
      X509Certificate anchor = ca.chain().get(ca.chain().size() - 1);
      try {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(t));
        java.security.cert.CertPathValidator.getInstance("PKIX")
            .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      } catch (CertPathValidatorException e) {
        lastReason = String.valueOf(e.getMessage());
        continue;
      } catch (GeneralSecurityException | RuntimeException e) {
        lastReason = String.valueOf(e.getMessage());
        continue;
      }
      if (ca.validFor().contains(t)) {
        return ca;
      }
      outsideValidity = ca;
    }
    if (outsideValidity != null) {
      throw new VerificationException(
          "sigstore.ca-not-valid-at-signing-time",
          "the certificate was issued by CA "
              + outsideValidity.chain().get(0).getSubjectX500Principal().getName()
              + ", which the trusted root trusts only from "
              + outsideValidity.validFor()
              + ", not at the signing time "
              + t);
    }
    throw new VerificationException(
        "sigstore.chain-untrusted",
        "the signing certificate (issuer "
            + leaf.getIssuerX500Principal().getName()
            + ") does not chain to a Fulcio CA of the trusted root at "
            + t
            + ": "
            + VerificationException.printable(lastReason));
  }

  private static void checkScts(
      X509Certificate leaf, X509Certificate issuer, SigstoreTrustRoot root)
      throws VerificationException {
    List<EmbeddedScts.Sct> scts = EmbeddedScts.of(leaf);
    if (scts.isEmpty()) {
      throw new VerificationException(
          "sigstore.sct-missing",
          "the signing certificate embeds no signed certificate timestamp (extension "
              + EmbeddedScts.OID
              + ")");
    }
    boolean knownLog = false;
    String why = "";
    for (EmbeddedScts.Sct sct : scts) {
      Optional<LogKey> log = root.ctlog(sct.logId());
      if (log.isEmpty()) {
        continue;
      }
      knownLog = true;
      if (!log.get().validFor().contains(sct.timestamp())) {
        why = "its time " + sct.timestamp() + " is outside the CT log key's validity";
        continue;
      }
      if (sct.hashAlgorithm() != 4
          || (sct.signatureAlgorithm() != 3 && sct.signatureAlgorithm() != 1)) {
        why = "it is not signed with SHA-256 and ECDSA or RSA";
        continue;
      }
      if (verifySignature(
          log.get().key(), EmbeddedScts.signedData(sct, leaf, issuer), sct.signature())) {
        return;
      }
      why = "its signature does not verify with the CT log's key";
    }
    if (!knownLog) {
      throw new VerificationException(
          "sigstore.sct-log-unknown",
          "the signing certificate's SCTs are from CT logs the trusted root does not list ("
              + Base64.getEncoder().encodeToString(scts.get(0).logId())
              + ")");
    }
    throw new VerificationException(
        "sigstore.sct-invalid", "no embedded SCT from a known CT log verifies: " + why);
  }

  // ---- signatures ----

  /**
   * Verifies a log's signature: ECDSA (DER, with the curve's hash: SHA-256 for P-256), Ed25519 or
   * RSA PKCS#1 with SHA-256; false for a wrong or malformed signature.
   */
  static boolean verifySignature(PublicKey key, byte[] message, byte[] signature) {
    String alg =
        switch (key.getAlgorithm()) {
          case "EC" ->
              key instanceof java.security.interfaces.ECPublicKey ec
                      && ec.getParams().getCurve().getField().getFieldSize() > 256
                  ? (ec.getParams().getCurve().getField().getFieldSize() > 384
                      ? "SHA512withECDSA"
                      : "SHA384withECDSA")
                  : "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "RSA" -> "SHA256withRSA";
          default -> null;
        };
    if (alg == null) {
      return false;
    }
    try {
      Signature s = Signature.getInstance(alg);
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (SignatureException | InvalidKeyException | java.security.ProviderException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(alg + " is required of every JDK", e);
    }
  }

  private static String strip(String message) {
    int i = message.indexOf("] ");
    return message.startsWith("[") && i > 0 ? message.substring(i + 2) : message;
  }
}
