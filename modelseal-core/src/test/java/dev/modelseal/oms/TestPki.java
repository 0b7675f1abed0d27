package dev.modelseal.oms;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate hierarchy for tests: an RSA root, an RSA intermediate, and an EC leaf
 * for code signing, with knobs for the validity period and the leaf's usages.
 */
record TestPki(
    X509Certificate root,
    X509Certificate intermediate,
    PrivateKey intermediateKey,
    X509Certificate leaf,
    SigningKey leafKey) {

  private static final AtomicLong SERIAL = new AtomicLong(1000);

  /** Leaf options. */
  record LeafSpec(Instant notBefore, Instant notAfter, Integer keyUsage, KeyPurposeId eku) {
    static LeafSpec codeSigning() {
      Instant now = Instant.now();
      return new LeafSpec(
          now.minus(Duration.ofDays(1)),
          now.plus(Duration.ofDays(365)),
          KeyUsage.digitalSignature,
          KeyPurposeId.id_kp_codeSigning);
    }
  }

  static TestPki create(Curve curve) throws Exception {
    return create(curve, LeafSpec.codeSigning());
  }

  /** A new leaf under the CA shared by the tests of one JVM (RSA key generation is slow). */
  static TestPki create(Curve curve, LeafSpec spec) throws Exception {
    return SharedCa.CA.withLeaf(curve, spec);
  }

  /** A new leaf under a CA of its own, distinct from every other. */
  static TestPki createWithOwnCa(Curve curve) throws Exception {
    return newCa().withLeaf(curve, LeafSpec.codeSigning());
  }

  private TestPki withLeaf(Curve curve, LeafSpec spec) throws Exception {
    SigningKey leafKey = SigningKey.generate(curve);
    X509Certificate l = leaf(spec, leafKey.publicKey(), intermediateKey);
    return new TestPki(root, intermediate, intermediateKey, l, leafKey);
  }

  /** A code-signing leaf certifying an RSA key, which OMS cannot use. */
  X509Certificate rsaLeaf() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    return leaf(LeafSpec.codeSigning(), rsa.generateKeyPair().getPublic(), intermediateKey);
  }

  private static final class SharedCa {
    static final TestPki CA;

    static {
      try {
        CA = newCa();
      } catch (Exception e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }

  private static TestPki newCa() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rootKp = rsa.generateKeyPair();
    KeyPair intKp = rsa.generateKeyPair();
    Instant now = Instant.now();
    X509Certificate root =
        ca("CN=test root", "CN=test root", rootKp.getPublic(), rootKp.getPrivate(), now);
    X509Certificate intermediate =
        ca("CN=test intermediate", "CN=test root", intKp.getPublic(), rootKp.getPrivate(), now);
    return new TestPki(root, intermediate, intKp.getPrivate(), null, null);
  }

  private static X509Certificate ca(
      String subject, String issuer, PublicKey key, PrivateKey signer, Instant now)
      throws Exception {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(Duration.ofDays(30))),
            Date.from(now.plus(Duration.ofDays(3650))),
            new X500Name(subject),
            key);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return sign(b, signer);
  }

  private static X509Certificate leaf(LeafSpec spec, PublicKey key, PrivateKey signer)
      throws Exception {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=test intermediate"),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(spec.notBefore()),
            Date.from(spec.notAfter()),
            new X500Name("CN=model signer"),
            key);
    if (spec.keyUsage() != null) {
      b.addExtension(Extension.keyUsage, true, new KeyUsage(spec.keyUsage()));
    }
    if (spec.eku() != null) {
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(spec.eku()));
    }
    return sign(b, signer);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
  }
}
