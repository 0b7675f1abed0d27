package dev.modelseal.oms;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemGenerationException;

/**
 * Reads and writes the PEM files OMS signing uses: PKCS#8 and SEC1 private keys (optionally
 * password-encrypted, optionally preceded by a text preamble), SubjectPublicKeyInfo public keys and
 * X.509 certificates. Also computes the key hint recorded in {@code key}-method bundles.
 */
public final class KeyFiles {
  /** Key and certificate files are small; anything larger is not one. */
  static final int MAX_PEM_BYTES = 1 << 20;

  /** PBKDF2-HMAC-SHA256 rounds for encrypted private keys (OWASP 2023 guidance: 600k). */
  static final int PBKDF2_ITERATIONS = 600_000;

  private static final Provider BC = new BouncyCastleProvider();
  private static final HexFormat HEX = HexFormat.of();

  private KeyFiles() {}

  /**
   * Reads an EC private key: PKCS#8 ({@code PRIVATE KEY}, {@code ENCRYPTED PRIVATE KEY}) or SEC1
   * ({@code EC PRIVATE KEY}, possibly with OpenSSL {@code Proc-Type} encryption). Text before the
   * PEM block is skipped.
   *
   * @param password the password for an encrypted key, or {@code null}
   */
  public static SigningKey readPrivateKey(Path file, char[] password)
      throws IOException, KeyException {
    byte[] pem = readBounded(file, "key.too-large");
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = parser(pem)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        PrivateKeyInfo info =
            switch (o) {
              case PrivateKeyInfo pki -> pki;
              case PEMKeyPair kp -> kp.getPrivateKeyInfo();
              case PEMEncryptedKeyPair ekp -> decrypt(file, ekp, password);
              case PKCS8EncryptedPrivateKeyInfo epki -> decrypt(file, epki, password);
              default -> null; // EC PARAMETERS blocks, certificates: not a private key
            };
        if (info != null) {
          checkAlgorithm(info.getPrivateKeyAlgorithm(), file.toString());
          PrivateKey k = converter.getPrivateKey(info);
          if (!(k instanceof ECPrivateKey ec)) {
            throw new KeyException(
                "key.unsupported", file + ": only ECDSA private keys can sign OMS signatures");
          }
          return SigningKey.of(ec);
        }
      }
    } catch (IOException | RuntimeException e) {
      // PEMParser reports broken base64 and ASN.1 as I/O or runtime errors.
      throw new KeyException("key.malformed", file + ": unreadable private key", e);
    }
    throw new KeyException("key.malformed", file + ": no PEM private key found");
  }

  /** Reads an EC public key in SubjectPublicKeyInfo PEM ({@code PUBLIC KEY}). */
  public static ECPublicKey readPublicKey(Path file) throws IOException, KeyException {
    return parsePublicKey(readBounded(file, "key.too-large"), file.toString());
  }

  /** Parses PEM text holding a SubjectPublicKeyInfo; {@code where} names the source in errors. */
  static ECPublicKey parsePublicKey(byte[] pem, String where) throws KeyException {
    try (PEMParser parser = parser(pem)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof SubjectPublicKeyInfo spki) {
          checkAlgorithm(spki.getAlgorithm(), where);
          PublicKey k = new JcaPEMKeyConverter().getPublicKey(spki);
          return checkPublicKey(k, where);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new KeyException("key.malformed", where + ": unreadable public key", e);
    }
    throw new KeyException("key.malformed", where + ": no PEM public key found");
  }

  /**
   * Refuses other algorithms and curves before conversion, so that an unsupported key is named as
   * such rather than failing somewhere inside the JDK's key factory.
   */
  private static void checkAlgorithm(AlgorithmIdentifier alg, String where) throws KeyException {
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())
        || alg.getParameters() == null
        || !(alg.getParameters().toASN1Primitive() instanceof ASN1ObjectIdentifier curve)
        || !(curve.equals(SECObjectIdentifiers.secp256r1)
            || curve.equals(SECObjectIdentifiers.secp384r1)
            || curve.equals(SECObjectIdentifiers.secp521r1))) {
      throw new KeyException(
          "key.unsupported",
          where + ": only ECDSA keys on the named curves P-256, P-384 or P-521 are supported");
    }
  }

  /** Checks that {@code k} is an EC key on one of the OMS curves. */
  static ECPublicKey checkPublicKey(PublicKey k, String where) throws KeyException {
    if (k instanceof ECPublicKey ec && Curve.of(ec).isPresent()) {
      return ec;
    }
    throw new KeyException(
        "key.unsupported", where + ": only ECDSA keys on P-256, P-384 or P-521 are supported");
  }

  /** Reads every X.509 certificate in a PEM file, in file order (at least one). */
  public static List<X509Certificate> readCertificates(Path file) throws IOException, KeyException {
    byte[] pem = readBounded(file, "cert.too-large");
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = parser(pem)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder h) {
          out.add(converter.getCertificate(h));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new KeyException("cert.malformed", file + ": unreadable certificate", e);
    }
    if (out.isEmpty()) {
      throw new KeyException("cert.malformed", file + ": no PEM certificate found");
    }
    return List.copyOf(out);
  }

  /**
   * Reads a password from the first line of {@code file} (UTF-8, line ending stripped).
   *
   * @throws KeyException {@code key.password-empty} when the first line is empty
   */
  public static char[] readPassword(Path file) throws IOException, KeyException {
    byte[] bytes = readBounded(file, "key.too-large");
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new KeyException("key.password-malformed", file + ": password is not UTF-8 text", e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (line.isEmpty()) {
      throw new KeyException(
          "key.password-empty", file + ": the password file's first line is empty");
    }
    return line.toCharArray();
  }

  /**
   * Writes {@code key} as a PKCS#8 PEM private key (encrypted with PBES2/AES-256-CBC when {@code
   * password} is given) created owner-only ({@code rw-------}) from its first byte, and its
   * SubjectPublicKeyInfo PEM public key. Never overwrites: either file existing is an error and
   * nothing is written.
   */
  public static void writeKeyPair(
      SigningKey key, Path privateFile, Path publicFile, char[] password)
      throws IOException, KeyException {
    if (privateFile.toAbsolutePath().normalize().equals(publicFile.toAbsolutePath().normalize())) {
      throw new KeyException("key.same-file", "private and public key must be different files");
    }
    for (Path p : List.of(privateFile, publicFile)) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new KeyException("key.file-exists", p + ": already exists; refusing to overwrite it");
      }
    }
    byte[] privatePem = privateKeyPem(key.privateKey(), password);
    byte[] publicPem = publicKeyPem(key.publicKey()).getBytes(StandardCharsets.US_ASCII);
    try {
      // CREATE_NEW with the permission attribute: the file is born rw------- (O_EXCL|O_CREAT with
      // mode 0600), so no other user can open it even for an instant; a planted symlink fails.
      writeNew(
          privateFile,
          privatePem,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } finally {
      Arrays.fill(privatePem, (byte) 0);
    }
    try {
      writeNew(publicFile, publicPem, null);
    } catch (IOException | KeyException e) {
      Files.deleteIfExists(privateFile);
      throw e;
    }
  }

  private static void writeNew(
      Path file, byte[] content, java.nio.file.attribute.FileAttribute<?> attr)
      throws IOException, KeyException {
    var options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try (SeekableByteChannel ch =
        attr == null
            ? Files.newByteChannel(file, options)
            : Files.newByteChannel(file, options, attr)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    } catch (FileAlreadyExistsException e) {
      throw new KeyException(
          "key.file-exists", file + ": already exists; refusing to overwrite it");
    } catch (UnsupportedOperationException e) {
      throw new IOException(file + ": the file system cannot create owner-only files", e);
    }
  }

  private static byte[] privateKeyPem(ECPrivateKey key, char[] password) throws KeyException {
    if (password == null) {
      return pem("PRIVATE KEY", key.getEncoded());
    }
    try {
      OutputEncryptor enc =
          new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
              .setPRF(JcaPKCS8Generator.PRF_HMACSHA256)
              .setIterationCount(PBKDF2_ITERATIONS)
              .setRandom(new SecureRandom())
              .setProvider(BC)
              .setPassword(password)
              .build();
      return pem("ENCRYPTED PRIVATE KEY", new JcaPKCS8Generator(key, enc).generate().getContent());
    } catch (OperatorCreationException | PemGenerationException e) {
      throw new KeyException("key.encrypt-failed", "cannot encrypt the private key", e);
    }
  }

  /**
   * The standard PEM text of a public key: {@code -----BEGIN PUBLIC KEY-----\n}, the DER
   * SubjectPublicKeyInfo in base64 lines of 64 characters, {@code \n-----END PUBLIC KEY-----\n}.
   */
  public static String publicKeyPem(PublicKey key) {
    return new String(pem("PUBLIC KEY", key.getEncoded()), StandardCharsets.US_ASCII);
  }

  /**
   * The OMS key hint: lower-case hex SHA-256 of {@link #publicKeyPem}. Computed from the key, not
   * from a file's bytes, so a text preamble or other line lengths do not change it.
   */
  public static String keyHint(PublicKey key) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance("SHA-256")
              .digest(publicKeyPem(key).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  static byte[] pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static PrivateKeyInfo decrypt(Path file, PEMEncryptedKeyPair key, char[] password)
      throws KeyException {
    char[] pw = requirePassword(file, password);
    try {
      return key.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(pw))
          .getPrivateKeyInfo();
    } catch (IOException | RuntimeException e) {
      throw wrongPassword(file, e);
    }
  }

  private static PrivateKeyInfo decrypt(
      Path file, PKCS8EncryptedPrivateKeyInfo key, char[] password) throws KeyException {
    char[] pw = requirePassword(file, password);
    try {
      return key.decryptPrivateKeyInfo(
          new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(pw));
    } catch (PKCSException | OperatorCreationException | RuntimeException e) {
      throw wrongPassword(file, e);
    }
  }

  private static KeyException wrongPassword(Path file, Exception e) {
    return new KeyException(
        "key.password-wrong", file + ": cannot decrypt the private key (wrong password?)", e);
  }

  private static char[] requirePassword(Path file, char[] password) throws KeyException {
    if (password == null) {
      throw new KeyException(
          "key.password-required", file + ": the private key is encrypted; a password is needed");
    }
    return password;
  }

  private static PEMParser parser(byte[] pem) {
    Reader r = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
    return new PEMParser(r);
  }

  static byte[] readBounded(Path file, String rule) throws IOException, KeyException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(MAX_PEM_BYTES + 1);
      if (b.length > MAX_PEM_BYTES) {
        throw new KeyException(rule, file + ": larger than " + MAX_PEM_BYTES + " bytes");
      }
      return b;
    }
  }
}
