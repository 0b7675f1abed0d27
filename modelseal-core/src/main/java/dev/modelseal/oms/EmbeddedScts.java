package dev.modelseal.oms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;

/**
 * The signed certificate timestamps embedded in a Fulcio certificate (extension {@value #OID}, RFC
 * 6962 section 3.3) and what each one signs: the precertificate entry of RFC 6962 section 3.2,
 * rebuilt from the final certificate by removing that extension from its TBSCertificate, bound to
 * the issuer by the SHA-256 of the issuer's public key.
 */
final class EmbeddedScts {
  static final String OID = "1.3.6.1.4.1.11129.2.4.2";

  /** A list holds a handful; bounds the signature checks a hostile certificate can ask for. */
  static final int MAX_SCTS = 16;

  /** One SCT (version 1 only, the only one RFC 6962 defines). */
  @SuppressWarnings("ArrayRecordComponent") // read-only values, never compared or hashed
  record Sct(
      byte[] logId,
      long timestampMillis,
      byte[] extensions,
      int hashAlgorithm,
      int signatureAlgorithm,
      byte[] signature) {
    Instant timestamp() {
      return Instant.ofEpochMilli(timestampMillis);
    }
  }

  private EmbeddedScts() {}

  /**
   * The SCTs in {@code leaf}, empty when it has no SCT extension.
   *
   * @throws VerificationException {@code sigstore.sct-invalid} when the extension is malformed
   */
  static List<Sct> of(X509Certificate leaf) throws VerificationException {
    byte[] ext = leaf.getExtensionValue(OID);
    if (ext == null) {
      return List.of();
    }
    byte[] list;
    try {
      ASN1OctetString outer = ASN1OctetString.getInstance(ext);
      list = ASN1OctetString.getInstance(outer.getOctets()).getOctets();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw invalid("the SCT extension is not an OCTET STRING", e);
    }
    ByteBuffer in = ByteBuffer.wrap(list);
    int total = u16(in);
    if (total != in.remaining()) {
      throw invalid("the SCT list length " + total + " does not match its content", null);
    }
    List<Sct> out = new ArrayList<>();
    while (in.hasRemaining()) {
      if (out.size() == MAX_SCTS) {
        throw invalid("the certificate embeds more than " + MAX_SCTS + " SCTs", null);
      }
      int len = u16(in);
      if (len > in.remaining()) {
        throw invalid("an SCT is longer than the list", null);
      }
      ByteBuffer s = in.slice(in.position(), len);
      in.position(in.position() + len);
      out.add(sct(s));
    }
    return out;
  }

  private static Sct sct(ByteBuffer s) throws VerificationException {
    if (s.remaining() < 1 + 32 + 8 + 2) {
      throw invalid("an SCT is truncated", null);
    }
    int version = s.get() & 0xff;
    if (version != 0) {
      throw invalid("an SCT has version " + (version + 1) + "; only version 1 is defined", null);
    }
    byte[] logId = new byte[32];
    s.get(logId);
    long ts = s.getLong();
    byte[] extensions = bytes(s, u16(s));
    if (s.remaining() < 4) {
      throw invalid("an SCT is truncated", null);
    }
    int hash = s.get() & 0xff;
    int sigAlg = s.get() & 0xff;
    byte[] sig = bytes(s, u16(s));
    if (s.hasRemaining()) {
      throw invalid("an SCT has bytes after its signature", null);
    }
    return new Sct(logId, ts, extensions, hash, sigAlg, sig);
  }

  /** The bytes {@code sct}'s log signed for a precertificate of {@code leaf} by {@code issuer}. */
  static byte[] signedData(Sct sct, X509Certificate leaf, X509Certificate issuer)
      throws VerificationException {
    byte[] tbs = precertificateTbs(leaf);
    if (tbs.length >= 1 << 24) {
      throw invalid("the certificate is too large for an SCT", null);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0); // sct_version v1
    out.write(0); // signature_type certificate_timestamp
    out.writeBytes(ByteBuffer.allocate(8).putLong(sct.timestampMillis()).array());
    out.write(0);
    out.write(1); // entry_type precert_entry
    out.writeBytes(sha256(issuer.getPublicKey().getEncoded()));
    out.write(tbs.length >>> 16);
    out.write(tbs.length >>> 8);
    out.write(tbs.length);
    out.writeBytes(tbs);
    out.write(sct.extensions().length >>> 8);
    out.write(sct.extensions().length);
    out.writeBytes(sct.extensions());
    return out.toByteArray();
  }

  /** The TBSCertificate without the SCT extension, which is what the CT log saw. */
  static byte[] precertificateTbs(X509Certificate leaf) throws VerificationException {
    try {
      ASN1Sequence tbs = ASN1Sequence.getInstance(leaf.getTBSCertificate());
      ASN1EncodableVector fields = new ASN1EncodableVector();
      boolean found = false;
      for (ASN1Encodable f : tbs) {
        if (f instanceof ASN1TaggedObject t && t.getTagNo() == 3) {
          Extensions exts = Extensions.getInstance(t.getExplicitBaseObject());
          ASN1EncodableVector kept = new ASN1EncodableVector();
          for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
            Extension e = exts.getExtension(oid);
            if (oid.getId().equals(OID)) {
              found = true;
            } else {
              kept.add(e);
            }
          }
          fields.add(new DERTaggedObject(true, 3, new DERSequence(kept)));
        } else {
          fields.add(f);
        }
      }
      if (!found) {
        throw invalid("the certificate has no SCT extension", null);
      }
      return new DERSequence(fields).getEncoded("DER");
    } catch (CertificateEncodingException | IOException | IllegalArgumentException e) {
      throw invalid("the certificate's TBSCertificate cannot be re-encoded", e);
    }
  }

  private static int u16(ByteBuffer b) throws VerificationException {
    if (b.remaining() < 2) {
      throw invalid("an SCT length is truncated", null);
    }
    return b.getShort() & 0xffff;
  }

  private static byte[] bytes(ByteBuffer b, int n) throws VerificationException {
    if (n > b.remaining()) {
      throw invalid("an SCT field is longer than the SCT", null);
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private static VerificationException invalid(String message, Throwable cause) {
    return new VerificationException("sigstore.sct-invalid", message, cause);
  }
}
