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
}
