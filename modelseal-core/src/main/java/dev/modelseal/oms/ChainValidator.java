package dev.modelseal.oms;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates a {@code certificate}-method chain (leaf first, then intermediates) to the user's trust
 * anchors with PKIX at the time of verification, then applies the OMS leaf rules: KeyUsage, if
 * present, must allow digitalSignature; ExtendedKeyUsage, if present, must include codeSigning. A
 * leaf marked CA:TRUE is accepted (real test chains have one). Revocation is not checked: the
 * bundle carries no revocation data and the verifier works offline.
 */
final class ChainValidator {
  static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

  private ChainValidator() {}

  // PKIX and X509Certificate take java.util.Date; it is confined to this method.
  @SuppressWarnings("JavaUtilDate")
  static void validate(List<X509Certificate> chain, List<X509Certificate> anchors, Instant now)
      throws VerificationException {
    Date at = Date.from(now);
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity(at);
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new VerificationException(
          "oms.cert-expired",
          "signing certificate "
              + leaf.getSubjectX500Principal().getName()
              + " is valid from "
              + leaf.getNotBefore().toInstant()
              + " to "
              + leaf.getNotAfter().toInstant()
              + ", not at "
              + at.toInstant(),
          e);
    }
    checkUsage(leaf);

    // The path ends below the first certificate that is itself trusted (a bundle may include it).
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (anchors.contains(c)) {
        break;
      }
      path.add(c);
    }
    if (path.isEmpty()) {
      return; // the leaf itself is a trust anchor
    }
    Set<TrustAnchor> trust = new HashSet<>();
    for (X509Certificate a : anchors) {
      trust.add(new TrustAnchor(a, null));
    }
    try {
      CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(trust);
      params.setRevocationEnabled(false);
      params.setDate(at);
      CertPathValidator.getInstance("PKIX").validate(cp, params);
    } catch (CertPathValidatorException e) {
      if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
          || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
        throw new VerificationException(
            "oms.cert-expired",
            "a certificate in the chain is not valid now: " + e.getMessage(),
            e);
      }
      String where = e.getIndex() >= 0 ? " (certificate " + e.getIndex() + ")" : "";
      String reason =
          e.getReason() == PKIXReason.NO_TRUST_ANCHOR ? "no trusted anchor" : e.getMessage();
      throw new VerificationException(
          "oms.cert-chain-invalid",
          "the certificate chain does not validate to a trust anchor" + where + ": " + reason,
          e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new VerificationException(
          "oms.cert-chain-invalid",
          "the certificate chain cannot be validated: " + e.getMessage(),
          e);
    }
  }

  static void checkUsage(X509Certificate leaf) throws VerificationException {
    boolean[] ku = leaf.getKeyUsage();
    if (ku != null && (ku.length == 0 || !ku[0])) {
      throw new VerificationException(
          "oms.cert-key-usage", "the signing certificate's KeyUsage lacks digitalSignature");
    }
    List<String> eku;
    try {
      eku = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new VerificationException(
          "oms.cert-key-usage", "the signing certificate's ExtendedKeyUsage is malformed", e);
    }
    if (eku != null && !eku.contains(CODE_SIGNING)) {
      throw new VerificationException(
          "oms.cert-key-usage", "the signing certificate's ExtendedKeyUsage lacks codeSigning");
    }
  }
}
