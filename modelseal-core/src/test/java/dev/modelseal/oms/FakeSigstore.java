package dev.modelseal.oms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A Fulcio CA, a CT log and a Rekor log of the tests' own, with a trusted root listing them: it
 * issues Fulcio-style leaves (SAN, OIDC issuer extension, embedded SCT over the precertificate),
 * logs DSSE entries in a real Merkle tree and signs checkpoints and entry timestamps. It is written
 * from RFC 6962 and the Sigstore formats, independently of the verifier's code, so that the
 * verifier is tested against a second implementation, and each knob breaks exactly one thing.
 */
final class FakeSigstore {
  static final String ISSUER = "https://issuer.example";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong SERIAL = new AtomicLong(5000);

  final KeyPair ca = ec("secp384r1");
  final KeyPair ct = ec("secp256r1");
  final KeyPair rekor = ec("secp256r1");
  final X509Certificate caCert;
  final Instant caStart = Instant.now().minus(Duration.ofDays(30));

  FakeSigstore() throws Exception {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("O=fake,CN=fake fulcio"),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(caStart),
            Date.from(caStart.plus(Duration.ofDays(3650))),
            new X500Name("O=fake,CN=fake fulcio"),
            ca.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
    caCert = convert(b, ca.getPrivate(), "SHA384withECDSA");
  }

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] keyId(PublicKey k) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(k.getEncoded());
  }

  /** What a leaf looks like; each field can be broken on its own. */
  record LeafOptions(
      GeneralName san, String issuer, Instant notBefore, Instant notAfter, SctMode sct) {
    static LeafOptions email(String email) {
      Instant now = Instant.now();
      return new LeafOptions(
          new GeneralName(GeneralName.rfc822Name, email),
          ISSUER,
          now.minus(Duration.ofMinutes(5)),
          now.plus(Duration.ofMinutes(5)),
          SctMode.VALID);
    }

    LeafOptions withSan(GeneralName n) {
      return new LeafOptions(n, issuer, notBefore, notAfter, sct);
    }

    LeafOptions withSct(SctMode m) {
      return new LeafOptions(san, issuer, notBefore, notAfter, m);
    }

    LeafOptions withValidity(Instant from, Instant to) {
      return new LeafOptions(san, issuer, from, to, sct);
    }
  }

  enum SctMode {
    VALID,
    NONE,
    BAD_SIGNATURE,
    UNKNOWN_LOG
  }

  X509Certificate leaf(PublicKey key, LeafOptions o) throws Exception {
    long serial = SERIAL.incrementAndGet();
    X509v3CertificateBuilder pre = leafBuilder(key, o, serial);
    // The precertificate's TBS is the final TBS without the SCT extension (RFC 6962 3.2).
    X509Certificate precert = convert(pre, ca.getPrivate(), "SHA384withECDSA");
    if (o.sct() == SctMode.NONE) {
      return precert;
    }
    byte[] sctList = sctList(precert.getTBSCertificate(), o.sct());
    X509v3CertificateBuilder fin = leafBuilder(key, o, serial);
    fin.addExtension(
        new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"),
        false,
        new DEROctetString(sctList));
    return convert(fin, ca.getPrivate(), "SHA384withECDSA");
  }

  private X509v3CertificateBuilder leafBuilder(PublicKey key, LeafOptions o, long serial)
      throws Exception {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("O=fake,CN=fake fulcio"),
            BigInteger.valueOf(serial),
            Date.from(o.notBefore()),
            Date.from(o.notAfter()),
            new X500Name(""),
            key);
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
    b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(o.san()));
    b.addExtension(
        new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8"),
        false,
        new DERUTF8String(o.issuer()));
    return b;
  }

  private byte[] sctList(byte[] precertTbs, SctMode mode) throws Exception {
    long ts = Instant.now().toEpochMilli();
    ByteArrayOutputStream signed = new ByteArrayOutputStream();
    signed.write(0);
    signed.write(0);
    signed.writeBytes(ByteBuffer.allocate(8).putLong(ts).array());
    signed.writeBytes(new byte[] {0, 1});
    signed.writeBytes(keyId(ca.getPublic()));
    signed.writeBytes(
        new byte[] {
          (byte) (precertTbs.length >> 16),
          (byte) (precertTbs.length >> 8),
          (byte) precertTbs.length
        });
    signed.writeBytes(precertTbs);
    signed.writeBytes(new byte[] {0, 0});
    byte[] sig = sign(ct.getPrivate(), "SHA256withECDSA", signed.toByteArray());
    if (mode == SctMode.BAD_SIGNATURE) {
      sig =
          sign(
              ct.getPrivate(),
              "SHA256withECDSA",
              "something else".getBytes(StandardCharsets.UTF_8));
    }
    byte[] logId = mode == SctMode.UNKNOWN_LOG ? new byte[32] : keyId(ct.getPublic());
    ByteArrayOutputStream sct = new ByteArrayOutputStream();
    sct.write(0);
    sct.writeBytes(logId);
    sct.writeBytes(ByteBuffer.allocate(8).putLong(ts).array());
    sct.writeBytes(new byte[] {0, 0}); // no extensions
    sct.write(4); // sha256
    sct.write(3); // ecdsa
    sct.writeBytes(u16(sig.length));
    sct.writeBytes(sig);
    byte[] one = sct.toByteArray();
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    list.writeBytes(u16(one.length + 2));
    list.writeBytes(u16(one.length));
    list.writeBytes(one);
    return list.toByteArray();
  }

  private static byte[] u16(int n) {
    return new byte[] {(byte) (n >> 8), (byte) n};
  }

  /** The trusted root listing this CA, CT log and Rekor log (valid from {@link #caStart}). */
  Path trustedRoot(Path file) throws Exception {
    String start = caStart.toString();
    ObjectNode root = JSON.createObjectNode();
    root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
    logEntry(root.putArray("tlogs"), rekor.getPublic(), start, "https://rekor.fake");
    ObjectNode ca = root.putArray("certificateAuthorities").addObject();
    ca.putObject("subject").put("commonName", "fake fulcio");
    ca.put("uri", "https://fulcio.fake");
    ca.putObject("certChain")
        .putArray("certificates")
        .addObject()
        .put("rawBytes", b64(caCert.getEncoded()));
    ca.putObject("validFor").put("start", start);
    logEntry(root.putArray("ctlogs"), ct.getPublic(), start, "https://ct.fake");
    Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    return file;
  }

  private static void logEntry(ArrayNode a, PublicKey k, String start, String url)
      throws Exception {
    ObjectNode t = a.addObject();
    t.put("baseUrl", url);
    t.put("hashAlgorithm", "SHA2_256");
    ObjectNode pk = t.putObject("publicKey");
    pk.put("rawBytes", b64(k.getEncoded()));
    pk.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    pk.putObject("validFor").put("start", start);
    t.putObject("logId").put("keyId", b64(keyId(k)));
  }

  /** How the log entry is made; each knob breaks one thing. */
  @SuppressWarnings("ArrayRecordComponent") // a test knob, never compared
  record LogOptions(
      String kind, Instant integratedTime, PrivateKey checkpointKey, byte[] checkpointHintKeyId) {}

  LogOptions logOptions() throws Exception {
    return new LogOptions("dsse", Instant.now(), rekor.getPrivate(), keyId(rekor.getPublic()));
  }

  /**
   * A keyless bundle from a bundle our signer made (its DSSE envelope, untouched): the leaf as
   * {@code certificate} and a Rekor entry for that envelope, logged at index 3 of a tree of 6.
   */
  Path keylessBundle(Path signed, X509Certificate leaf, LogOptions log, Path out) throws Exception {
    ObjectNode bundle = (ObjectNode) JSON.readTree(signed.toFile());
    ObjectNode env = (ObjectNode) bundle.get("dsseEnvelope");
    byte[] payload = Base64.getDecoder().decode(env.get("payload").asText());
    String sig = env.at("/signatures/0/sig").asText();
    String pem =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(leaf.getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    String payloadHash =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    String body;
    if (log.kind().equals("dsse")) {
      body =
          "{\"apiVersion\":\"0.0.1\",\"kind\":\"dsse\",\"spec\":{\"envelopeHash\":{\"algorithm\":\"sha256\",\"value\":\""
              + "00".repeat(32)
              + "\"},\"payloadHash\":{\"algorithm\":\"sha256\",\"value\":\""
              + payloadHash
              + "\"},\"signatures\":[{\"signature\":\""
              + sig
              + "\",\"verifier\":\""
              + b64(pem.getBytes(StandardCharsets.US_ASCII))
              + "\"}]}}";
    } else {
      body =
          "{\"apiVersion\":\"0.0.2\",\"kind\":\"intoto\",\"spec\":{\"content\":{\"envelope\":{\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"publicKey\":\""
              + b64(pem.getBytes(StandardCharsets.US_ASCII))
              + "\",\"sig\":\""
              + b64(sig.getBytes(StandardCharsets.US_ASCII))
              + "\"}]},\"hash\":{\"algorithm\":\"sha256\",\"value\":\""
              + "00".repeat(32)
              + "\"},\"payloadHash\":{\"algorithm\":\"sha256\",\"value\":\""
              + payloadHash
              + "\"}}}}";
    }
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      leaves.add(("other entry " + i).getBytes(StandardCharsets.UTF_8));
    }
    int index = 3;
    leaves.set(index, bodyBytes);
    byte[] rootHash = mth(leaves);
    List<byte[]> path = path(index, leaves);
    long logIndex = 1000L + index;
    long time = log.integratedTime().getEpochSecond();
    byte[] logId = keyId(rekor.getPublic());
    String setJson =
        "{\"body\":\""
            + b64(bodyBytes)
            + "\",\"integratedTime\":"
            + time
            + ",\"logID\":\""
            + HexFormat.of().formatHex(logId)
            + "\",\"logIndex\":"
            + logIndex
            + "}";
    byte[] set =
        sign(rekor.getPrivate(), "SHA256withECDSA", setJson.getBytes(StandardCharsets.UTF_8));
    String note = "rekor.fake - 42\n" + leaves.size() + "\n" + b64(rootHash) + "\n";
    byte[] noteSig =
        sign(log.checkpointKey(), "SHA256withECDSA", note.getBytes(StandardCharsets.UTF_8));
    byte[] hinted = new byte[4 + noteSig.length];
    System.arraycopy(log.checkpointHintKeyId(), 0, hinted, 0, 4);
    System.arraycopy(noteSig, 0, hinted, 4, noteSig.length);
    String checkpoint = note + "\n\u2014 rekor.fake " + b64(hinted) + "\n";

    ObjectNode vm = JSON.createObjectNode();
    vm.putObject("certificate").put("rawBytes", b64(leaf.getEncoded()));
    ObjectNode e = vm.putArray("tlogEntries").addObject();
    e.put("logIndex", String.valueOf(logIndex));
    e.putObject("logId").put("keyId", b64(logId));
    e.putObject("kindVersion")
        .put("kind", log.kind())
        .put("version", log.kind().equals("dsse") ? "0.0.1" : "0.0.2");
    e.put("integratedTime", String.valueOf(time));
    e.putObject("inclusionPromise").put("signedEntryTimestamp", b64(set));
    ObjectNode p = e.putObject("inclusionProof");
    p.put("logIndex", String.valueOf(index));
    p.put("rootHash", b64(rootHash));
    p.put("treeSize", String.valueOf(leaves.size()));
    ArrayNode hashes = p.putArray("hashes");
    path.forEach(h -> hashes.add(b64(h)));
    p.putObject("checkpoint").put("envelope", checkpoint);
    e.put("canonicalizedBody", b64(bodyBytes));
    bundle.set("verificationMaterial", vm);
    Files.write(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(bundle));
    return out;
  }

  // RFC 6962 section 2.1: MTH and PATH, recursively, straight from the definitions.

  static byte[] mth(List<byte[]> d) throws Exception {
    if (d.size() == 1) {
      return hash(new byte[] {0}, d.get(0));
    }
    int k = Integer.highestOneBit(d.size() - 1);
    return hash(new byte[] {1}, mth(d.subList(0, k)), mth(d.subList(k, d.size())));
  }

  static List<byte[]> path(int m, List<byte[]> d) throws Exception {
    if (d.size() == 1) {
      return new ArrayList<>();
    }
    int k = Integer.highestOneBit(d.size() - 1);
    List<byte[]> out;
    if (m < k) {
      out = path(m, d.subList(0, k));
      out.add(mth(d.subList(k, d.size())));
    } else {
      out = path(m - k, d.subList(k, d.size()));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  private static byte[] hash(byte[]... parts) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  static byte[] sign(PrivateKey k, String alg, byte[] data) throws Exception {
    Signature s = Signature.getInstance(alg);
    s.initSign(k);
    s.update(data);
    return s.sign();
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static X509Certificate convert(X509v3CertificateBuilder b, PrivateKey k, String alg)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder(alg).build(k)));
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}
