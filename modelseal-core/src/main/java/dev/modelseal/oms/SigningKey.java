package dev.modelseal.oms;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;

/**
 * An ECDSA private key on one of the OMS curves together with its public key. The public key is
 * always derived from the private scalar, never taken from a file, so the two cannot disagree.
 */
public final class SigningKey {
  private final ECPrivateKey privateKey;
  private final ECPublicKey publicKey;
  private final Curve curve;

  private SigningKey(ECPrivateKey privateKey, ECPublicKey publicKey, Curve curve) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.curve = curve;
  }

  /** Generates a fresh key pair on {@code curve} from a strong random source. */
  public static SigningKey generate(Curve curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve.stdName()), SecureRandom.getInstanceStrong());
      KeyPair kp = g.generateKeyPair();
      return new SigningKey((ECPrivateKey) kp.getPrivate(), (ECPublicKey) kp.getPublic(), curve);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC key generation is required of every JDK", e);
    }
  }

  /**
   * Wraps a private key, deriving its public key.
   *
   * @throws KeyException {@code key.unsupported} for a curve other than P-256/P-384/P-521, {@code
   *     key.malformed} for a scalar outside [1, n-1]
   */
  public static SigningKey of(ECPrivateKey privateKey) throws KeyException {
    Curve curve =
        Curve.of(privateKey)
            .orElseThrow(
                () ->
                    new KeyException(
                        "key.unsupported",
                        "only ECDSA keys on P-256, P-384 or P-521 can sign OMS signatures"));
    BigInteger d = privateKey.getS();
    BigInteger n = curve.params().getOrder();
    if (d.signum() <= 0 || d.compareTo(n) >= 0) {
      throw new KeyException("key.malformed", "private scalar is outside [1, n-1]");
    }
    ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec(curve.stdName());
    org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(d).normalize();
    ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    try {
      ECPublicKey pub =
          (ECPublicKey)
              KeyFactory.getInstance("EC")
                  .generatePublic(new ECPublicKeySpec(w, privateKey.getParams()));
      return new SigningKey(privateKey, pub, curve);
    } catch (GeneralSecurityException e) {
      throw new KeyException("key.malformed", "cannot derive the public key", e);
    }
  }

  public ECPrivateKey privateKey() {
    return privateKey;
  }

  public ECPublicKey publicKey() {
    return publicKey;
  }

  public Curve curve() {
    return curve;
  }

  /** Names the curve and the public key's hint; never shows the private scalar. */
  @Override
  public String toString() {
    return "SigningKey[" + curve + ", hint=" + KeyFiles.keyHint(publicKey) + "]";
  }
}
