package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writing and reading PEM keys, the key hint, and every key rule. */
class KeyFilesTest {
  @TempDir Path tmp;

  private static String rule(Throwable e) {
    return ((KeyException) e).rule();
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(tmp.resolve(name), text);
  }

  @ParameterizedTest
  @EnumSource(Curve.class)
  void writeKeyPair_eachCurve_readsBackTheSameKey(Curve curve) throws Exception {
    SigningKey k = SigningKey.generate(curve);
    KeyFiles.writeKeyPair(k, tmp.resolve("k.pem"), tmp.resolve("k.pub"), null);
    SigningKey back = KeyFiles.readPrivateKey(tmp.resolve("k.pem"), null);
    assertThat(back.curve()).isEqualTo(curve);
    assertThat(back.publicKey().getW()).isEqualTo(k.publicKey().getW());
    assertThat(KeyFiles.readPublicKey(tmp.resolve("k.pub")).getW()).isEqualTo(k.publicKey().getW());
    assertThat(Files.getPosixFilePermissions(tmp.resolve("k.pem")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void writeKeyPair_withPassword_encryptsAndNeedsIt() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P256);
    char[] pw = "s3cret".toCharArray();
    KeyFiles.writeKeyPair(k, tmp.resolve("k.pem"), tmp.resolve("k.pub"), pw);
    assertThat(Files.readString(tmp.resolve("k.pem")))
        .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(tmp.resolve("k.pem"), null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.password-required"));
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(tmp.resolve("k.pem"), "wrong".toCharArray()))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.password-wrong"));
    assertThat(KeyFiles.readPrivateKey(tmp.resolve("k.pem"), pw).publicKey().getW())
        .isEqualTo(k.publicKey().getW());
  }

  @Test
  void writeKeyPair_existingPublicFile_refusesAndWritesNothing() throws Exception {
    write("k.pub", "keep");
    assertThatThrownBy(
            () ->
                KeyFiles.writeKeyPair(
                    SigningKey.generate(Curve.P256),
                    tmp.resolve("k.pem"),
                    tmp.resolve("k.pub"),
                    null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.file-exists"));
    assertThat(tmp.resolve("k.pem")).doesNotExist();
    assertThat(Files.readString(tmp.resolve("k.pub"))).isEqualTo("keep");
  }

  @Test
  void writeKeyPair_danglingSymlinkAtPrivatePath_refuses() throws Exception {
    Files.createSymbolicLink(tmp.resolve("k.pem"), tmp.resolve("elsewhere.pem"));
    assertThatThrownBy(
            () ->
                KeyFiles.writeKeyPair(
                    SigningKey.generate(Curve.P256),
                    tmp.resolve("k.pem"),
                    tmp.resolve("k.pub"),
                    null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.file-exists"));
    assertThat(tmp.resolve("elsewhere.pem")).doesNotExist();
  }

  @Test
  void writeKeyPair_samePath_refuses() {
    assertThatThrownBy(
            () ->
                KeyFiles.writeKeyPair(
                    SigningKey.generate(Curve.P256), tmp.resolve("k"), tmp.resolve("./k"), null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.same-file"));
  }

  /** SEC1 with the named curve, as OpenSSL writes it, wrapped as PKCS#8 info. */
  private static PrivateKeyInfo sec1(SigningKey k, ASN1ObjectIdentifier curve) throws Exception {
    byte[] point =
        SubjectPublicKeyInfo.getInstance(k.publicKey().getEncoded()).getPublicKeyData().getBytes();
    var inner =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            k.privateKey().getParams().getOrder().bitLength(),
            k.privateKey().getS(),
            new DERBitString(point),
            curve);
    return new PrivateKeyInfo(
        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), inner);
  }

  @Test
  void readPrivateKey_sec1WithPreamble_reads() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P384);
    java.io.StringWriter sw = new java.io.StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(sec1(k, SECObjectIdentifiers.secp384r1));
    }
    assertThat(sw.toString()).contains("BEGIN EC PRIVATE KEY");
    Path f = write("sec1.pem", "Public Key Info:\n\tcurve: SECP384R1\n\n" + sw);
    assertThat(KeyFiles.readPrivateKey(f, null).publicKey().getW()).isEqualTo(k.publicKey().getW());
  }

  @Test
  void readPrivateKey_openSslEncryptedSec1_readsWithPassword() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P256);
    java.io.StringWriter sw = new java.io.StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(
          new JcaMiscPEMGenerator(
              sec1(k, SECObjectIdentifiers.secp256r1),
              new JcePEMEncryptorBuilder("AES-256-CBC")
                  .setProvider(new BouncyCastleProvider())
                  .build("pw".toCharArray())));
    }
    Path f = write("enc.pem", sw.toString());
    assertThat(Files.readString(f)).contains("Proc-Type: 4,ENCRYPTED");
    assertThat(KeyFiles.readPrivateKey(f, "pw".toCharArray()).publicKey().getW())
        .isEqualTo(k.publicKey().getW());
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.password-required"));
  }

  @Test
  void readPrivateKey_rsa_failsUnsupported() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    Path f =
        write(
            "rsa.pem",
            new String(
                KeyFiles.pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()),
                StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.unsupported"));
  }

  @Test
  void readKeys_otherCurve_failUnsupported() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
    g.initialize(new ECGenParameterSpec("secp256k1"));
    var kp = g.generateKeyPair();
    Path priv =
        write(
            "k1.pem",
            new String(
                KeyFiles.pem("PRIVATE KEY", kp.getPrivate().getEncoded()),
                StandardCharsets.US_ASCII));
    Path pub =
        write(
            "k1.pub",
            new String(
                KeyFiles.pem("PUBLIC KEY", kp.getPublic().getEncoded()),
                StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(priv, null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.unsupported"));
    assertThatThrownBy(() -> KeyFiles.readPublicKey(pub))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.unsupported"));
  }

  @Test
  void readPrivateKey_noPemBlock_failsMalformed() throws Exception {
    Path f = write("none.pem", "just text\n");
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.malformed"));
  }

  @Test
  void readPrivateKey_brokenBase64_failsMalformed() throws Exception {
    Path f = write("bad.pem", "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.malformed"));
  }

  @Test
  void readPrivateKey_garbageDer_failsMalformed() throws Exception {
    Path f = write("bad.pem", "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.malformed"));
  }

  @Test
  void readPrivateKey_huge_failsTooLarge() throws Exception {
    Path f = Files.write(tmp.resolve("big.pem"), new byte[KeyFiles.MAX_PEM_BYTES + 1]);
    assertThatThrownBy(() -> KeyFiles.readPrivateKey(f, null))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.too-large"));
  }

  @Test
  void readPublicKey_privateKeyFile_failsMalformed() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P256);
    KeyFiles.writeKeyPair(k, tmp.resolve("k.pem"), tmp.resolve("k.pub"), null);
    assertThatThrownBy(() -> KeyFiles.readPublicKey(tmp.resolve("k.pem")))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.malformed"));
  }

  @Test
  void readCertificates_noCertificate_failsMalformed() throws Exception {
    Path f = write("c.pem", "nothing here");
    assertThatThrownBy(() -> KeyFiles.readCertificates(f))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("cert.malformed"));
  }

  @Test
  void readCertificates_twoInOneFile_readsBothInOrder() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    String pem =
        new String(KeyFiles.pem("CERTIFICATE", pki.leaf().getEncoded()), StandardCharsets.US_ASCII)
            + new String(
                KeyFiles.pem("CERTIFICATE", pki.intermediate().getEncoded()),
                StandardCharsets.US_ASCII);
    assertThat(KeyFiles.readCertificates(write("chain.pem", pem)))
        .containsExactly(pki.leaf(), pki.intermediate());
  }

  @Test
  void readPassword_firstLineWithoutLineEnd() throws Exception {
    assertThat(KeyFiles.readPassword(write("pw", "p w\r\nsecond\n")))
        .containsExactly('p', ' ', 'w');
    assertThatThrownBy(() -> KeyFiles.readPassword(write("empty", "\n")))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.password-empty"));
    Path bad = Files.write(tmp.resolve("bad"), new byte[] {(byte) 0xff, 'a'});
    assertThatThrownBy(() -> KeyFiles.readPassword(bad))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("key.password-malformed"));
  }

  @Test
  void keyHint_isSha256OfStandardPem() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P521);
    String pem = KeyFiles.publicKeyPem(k.publicKey());
    assertThat(pem)
        .startsWith("-----BEGIN PUBLIC KEY-----\n")
        .endsWith("\n-----END PUBLIC KEY-----\n");
    assertThat(pem.lines().skip(1).filter(l -> !l.startsWith("-----")))
        .allMatch(l -> l.length() <= 64);
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(pem.getBytes(StandardCharsets.US_ASCII)));
    assertThat(KeyFiles.keyHint(k.publicKey())).isEqualTo(expected);
  }

  @Test
  void signingKeyToString_doesNotShowTheSecret() {
    SigningKey k = SigningKey.generate(Curve.P256);
    assertThat(k.toString()).doesNotContain(k.privateKey().getS().toString(16)).contains("P256");
  }

  @Test
  void encryptedKey_isReadableByOpenSsl() throws Exception {
    ProcessBuilder probe = new ProcessBuilder("openssl", "version").redirectErrorStream(true);
    Process p;
    try {
      p = probe.start();
      p.getInputStream().readAllBytes();
    } catch (java.io.IOException e) {
      org.junit.jupiter.api.Assumptions.abort("openssl unavailable: skipping");
      return;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "openssl unavailable: skipping");
    SigningKey k = SigningKey.generate(Curve.P384);
    KeyFiles.writeKeyPair(k, tmp.resolve("k.pem"), tmp.resolve("k.pub"), "pw".toCharArray());
    Files.writeString(tmp.resolve("pw"), "pw\n");
    Process o =
        new ProcessBuilder(
                "openssl",
                "pkey",
                "-in",
                tmp.resolve("k.pem").toString(),
                "-passin",
                "file:" + tmp.resolve("pw"),
                "-pubout")
            .redirectErrorStream(true)
            .start();
    String out = new String(o.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(o.waitFor()).as(out).isZero();
    assertThat(out).isEqualTo(KeyFiles.publicKeyPem(k.publicKey()));
  }

  @Test
  void readCertificates_huge_failsTooLarge() throws Exception {
    Path f = Files.write(tmp.resolve("big.pem"), new byte[KeyFiles.MAX_PEM_BYTES + 1]);
    assertThatThrownBy(() -> KeyFiles.readCertificates(f))
        .satisfies(e -> assertThat(rule(e)).isEqualTo("cert.too-large"));
  }
}
