package dev.modelseal.oms;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Who signed a verified model, as far as the trust material can tell. */
public sealed interface SignerIdentity {
  /** One line for people. */
  String describe();

  /**
   * The holder of the private half of the trusted public key.
   *
   * @param keyHint the OMS key hint (hex SHA-256 of the public key PEM)
   * @param curve the key's curve
   */
  record PublicKeySigner(String keyHint, Curve curve) implements SignerIdentity {
    public PublicKeySigner {
      Objects.requireNonNull(keyHint, "keyHint");
      Objects.requireNonNull(curve, "curve");
    }

    @Override
    public String describe() {
      return "public key " + keyHint + " (" + curve + ")";
    }
  }

  /**
   * The subject of a leaf certificate that chained to a trusted anchor.
   *
   * @param subject the leaf's subject DN (RFC 2253)
   * @param issuer the leaf's issuer DN (RFC 2253)
   * @param serialNumber the leaf's serial number in hex
   * @param sha256Fingerprint hex SHA-256 of the leaf's DER encoding
   * @param notAfter end of the leaf's validity
   * @param alternativeNames the leaf's e-mail, DNS and URI subject alternative names
   */
  record CertificateSigner(
      String subject,
      String issuer,
      String serialNumber,
      String sha256Fingerprint,
      Instant notAfter,
      List<String> alternativeNames)
      implements SignerIdentity {
    public CertificateSigner {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(serialNumber, "serialNumber");
      Objects.requireNonNull(sha256Fingerprint, "sha256Fingerprint");
      Objects.requireNonNull(notAfter, "notAfter");
      alternativeNames = List.copyOf(alternativeNames);
    }

    @Override
    public String describe() {
      String who = subject.isEmpty() ? String.join(", ", alternativeNames) : subject;
      return "certificate "
          + (who.isEmpty() ? "(no subject)" : who)
          + " issued by "
          + issuer
          + " (serial "
          + serialNumber
          + ")";
    }
  }

  /**
   * A keyless (Sigstore) signer: the identity and OIDC issuer Fulcio certified, when the log
   * recorded the signature, and the certificate itself.
   *
   * @param identity the certificate identity that matched the policy
   * @param issuer the OIDC issuer, empty when the certificate records none
   * @param signingTime the integrated time the log signed
   * @param logIndex the entry's index in the log
   * @param logUrl the log's base URL from the trusted root (may be empty)
   * @param certificate the Fulcio certificate
   */
  record KeylessSigner(
      String identity,
      String issuer,
      Instant signingTime,
      long logIndex,
      String logUrl,
      CertificateSigner certificate)
      implements SignerIdentity {
    public KeylessSigner {
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(signingTime, "signingTime");
      Objects.requireNonNull(logUrl, "logUrl");
      Objects.requireNonNull(certificate, "certificate");
    }

    @Override
    public String describe() {
      return identity
          + " (OIDC issuer "
          + (issuer.isEmpty() ? "none" : issuer)
          + "), logged at "
          + signingTime
          + " as entry "
          + logIndex
          + (logUrl.isEmpty() ? "" : " of " + logUrl);
    }
  }
}
