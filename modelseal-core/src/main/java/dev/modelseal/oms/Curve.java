package dev.modelseal.oms;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The elliptic curves OMS signs with (algorithm registry), each paired with the hash Sigstore's
 * registry prescribes for it.
 */
public enum Curve {
  P256("secp256r1", "SHA256withECDSA", "PKIX_ECDSA_P256_SHA_256"),
  P384("secp384r1", "SHA384withECDSA", "PKIX_ECDSA_P384_SHA_384"),
  P521("secp521r1", "SHA512withECDSA", "PKIX_ECDSA_P521_SHA_512");

  private final String stdName;
  private final String signatureAlgorithm;
  private final String keyDetails;

  Curve(String stdName, String signatureAlgorithm, String keyDetails) {
    this.stdName = stdName;
    this.signatureAlgorithm = signatureAlgorithm;
    this.keyDetails = keyDetails;
  }

  /** Domain parameters, looked up once (an enum's own fields must be immutable). */
  private static final class Params {
    static final Map<Curve, ECParameterSpec> BY_CURVE = new EnumMap<>(Curve.class);

    static {
      for (Curve c : values()) {
        try {
          AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
          ap.init(new ECGenParameterSpec(c.stdName));
          BY_CURVE.put(c, ap.getParameterSpec(ECParameterSpec.class));
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(c.stdName + " is required of every JDK", e);
        }
      }
    }
  }

  /** The SEC 2 name, e.g. {@code secp384r1}. */
  public String stdName() {
    return stdName;
  }

  /** The JCA signature algorithm: ECDSA with this curve's hash, DER-encoded signatures. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** The Sigstore {@code PublicKeyDetails} name, e.g. {@code PKIX_ECDSA_P384_SHA_384}. */
  public String keyDetails() {
    return keyDetails;
  }

  ECParameterSpec params() {
    return Params.BY_CURVE.get(this);
  }

  /** Parses {@code p256}, {@code p384} or {@code p521} (case-insensitive). */
  public static Optional<Curve> byCliName(String name) {
    for (Curve c : values()) {
      if (c.name().equalsIgnoreCase(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /** The curve of an EC key, or empty when it is on none of the three OMS curves. */
  public static Optional<Curve> of(ECKey key) {
    ECParameterSpec p = key.getParams();
    for (Curve c : values()) {
      ECParameterSpec q = c.params();
      if (q.getOrder().equals(p.getOrder())
          && q.getCurve().equals(p.getCurve())
          && q.getGenerator().equals(p.getGenerator())
          && q.getCofactor() == p.getCofactor()) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
