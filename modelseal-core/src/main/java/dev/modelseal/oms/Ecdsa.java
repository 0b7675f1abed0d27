package dev.modelseal.oms;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/** ECDSA with DER-encoded signatures, through the JDK's provider. */
final class Ecdsa {
  private Ecdsa() {}

  static byte[] sign(SigningKey key, byte[] message) {
    return sign(key.privateKey(), key.curve().signatureAlgorithm(), message);
  }

  static byte[] sign(PrivateKey key, String algorithm, byte[] message) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA signing failed with a validated key", e);
    }
  }

  /**
   * True when {@code signature} (DER) verifies; false for a wrong or malformed signature.
   *
   * @param algorithm e.g. {@code SHA384withECDSA}
   */
  static boolean verify(PublicKey key, String algorithm, byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (SignatureException | InvalidKeyException | java.security.ProviderException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is required of every JDK", e);
    }
  }
}
