package dev.modelseal.oms;

import static dev.modelseal.oms.StrictJson.array;
import static dev.modelseal.oms.StrictJson.base64;
import static dev.modelseal.oms.StrictJson.element;
import static dev.modelseal.oms.StrictJson.object;
import static dev.modelseal.oms.StrictJson.optionalObject;
import static dev.modelseal.oms.StrictJson.optionalText;
import static dev.modelseal.oms.StrictJson.text;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.format.ParseLimits;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A Sigstore trusted root ({@code application/vnd.dev.sigstore.trustedroot+json;version=0.1}), read
 * from a file: the Fulcio CAs, the Rekor logs, the CT logs and the timestamp authorities a keyless
 * signature is checked against. A ClientTrustConfig ({@code
 * application/vnd.dev.sigstore.clienttrustconfig.v0.1+json}, what the OMS reference tool's {@code
 * --trust_config} takes) is accepted too: its {@code trustedRoot} is used and its signing config,
 * which only matters for signing, is ignored.
 *
 * <p>There is no default root and nothing is fetched: whoever verifies decides which root to trust.
 * Unknown properties are tolerated (the format is protobuf JSON, which grows), unknown key types
 * are skipped (such a log cannot vouch for anything here), everything else must be well formed.
 */
public final class SigstoreTrustRoot {
  static final String MALFORMED = "sigstore.trusted-root-malformed";
  static final String TRUSTED_ROOT_MEDIA_TYPE =
      "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
  static final String TRUSTED_ROOT_MEDIA_TYPE_ALT =
      "application/vnd.dev.sigstore.trustedroot.v0.1+json";
  static final String TRUST_CONFIG_MEDIA_TYPE =
      "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";

  /** Far more than any real root lists; bounds the work a hostile root can cause. */
  static final int MAX_ENTRIES = 64;

  /** A log's key (Rekor or CT) and when it may be used. */
  @SuppressWarnings("ArrayRecordComponent") // read-only values, never compared or hashed
  record LogKey(byte[] keyId, PublicKey key, Validity validFor, String baseUrl) {
    LogKey {
      keyId = keyId.clone();
    }

    @Override
    public byte[] keyId() {
      return keyId.clone();
    }

    boolean hasId(byte[] id) {
      return MessageDigest.isEqual(keyId, id);
    }
  }

  /** A Fulcio CA or a timestamp authority: its chain (issuing certificate first) and validity. */
  record Authority(List<X509Certificate> chain, Validity validFor, String uri) {
    Authority {
      chain = List.copyOf(chain);
    }
  }

  /** A time window; the end is open when absent. */
  record Validity(Instant start, Optional<Instant> end) {
    boolean contains(Instant t) {
      return !t.isBefore(start) && (end.isEmpty() || !t.isAfter(end.get()));
    }

    @Override
    public String toString() {
      return start + " to " + end.map(Instant::toString).orElse("(open)");
    }
  }

  private final List<LogKey> tlogs;
  private final List<LogKey> ctlogs;
  private final List<Authority> certificateAuthorities;
  private final List<Authority> timestampAuthorities;

  private SigstoreTrustRoot(
      List<LogKey> tlogs, List<LogKey> ctlogs, List<Authority> cas, List<Authority> tsas) {
    this.tlogs = List.copyOf(tlogs);
    this.ctlogs = List.copyOf(ctlogs);
    this.certificateAuthorities = List.copyOf(cas);
    this.timestampAuthorities = List.copyOf(tsas);
  }

  /**
   * Reads a trusted root or a ClientTrustConfig file.
   *
   * @throws VerificationException {@value #MALFORMED} for anything else, {@value
   *     VerificationException#IO_ERROR} when it cannot be read
   */
  public static SigstoreTrustRoot read(Path file) throws VerificationException {
    ParseLimits limits = ParseLimits.defaults();
    byte[] bytes = ModelVerifier.readBundle(file, limits.maxBundleBytes());
    try {
      return parse(bytes, new StrictJson(limits));
    } catch (VerificationException e) {
      throw new VerificationException(e.rule(), file + ": " + strip(e.getMessage()), e);
    }
  }

  private static String strip(String message) {
    int i = message.indexOf("] ");
    return message.startsWith("[") && i > 0 ? message.substring(i + 2) : message;
  }

  static SigstoreTrustRoot parse(byte[] json, StrictJson strict) throws VerificationException {
    ObjectNode root = strict.parseObject(json, "the trusted root", MALFORMED);
    String mediaType = text(root, "mediaType", "trusted root", MALFORMED);
    if (mediaType.equals(TRUST_CONFIG_MEDIA_TYPE)) {
      root = object(root, "trustedRoot", "trust config", MALFORMED);
      mediaType = text(root, "mediaType", "trustedRoot", MALFORMED);
    }
    if (!mediaType.equals(TRUSTED_ROOT_MEDIA_TYPE)
        && !mediaType.equals(TRUSTED_ROOT_MEDIA_TYPE_ALT)) {
      throw new VerificationException(
          MALFORMED,
          "media type is '"
              + VerificationException.printable(mediaType)
              + "', expected '"
              + TRUSTED_ROOT_MEDIA_TYPE
              + "' or '"
              + TRUST_CONFIG_MEDIA_TYPE
              + "'");
    }
    return new SigstoreTrustRoot(
        logs(root, "tlogs"),
        logs(root, "ctlogs"),
        authorities(root, "certificateAuthorities"),
        authorities(root, "timestampAuthorities"));
  }

  List<LogKey> tlogs() {
    return tlogs;
  }

  List<LogKey> ctlogs() {
    return ctlogs;
  }

  List<Authority> certificateAuthorities() {
    return certificateAuthorities;
  }

  List<Authority> timestampAuthorities() {
    return timestampAuthorities;
  }

  Optional<LogKey> tlog(byte[] keyId) {
    return tlogs.stream().filter(l -> l.hasId(keyId)).findFirst();
  }

  Optional<LogKey> ctlog(byte[] keyId) {
    return ctlogs.stream().filter(l -> l.hasId(keyId)).findFirst();
  }

  /** One line for people: what this root trusts. */
  public String describe() {
    return certificateAuthorities.size()
        + " Fulcio CA(s), "
        + tlogs.size()
        + " Rekor key(s), "
        + ctlogs.size()
        + " CT log key(s), "
        + timestampAuthorities.size()
        + " timestamp authority(ies)";
  }

  private static List<ObjectNode> entries(ObjectNode root, String key)
      throws VerificationException {
    if (!root.has(key)) {
      return List.of();
    }
    ArrayNode a = array(root, key, "trusted root", MALFORMED);
    if (a.size() > MAX_ENTRIES) {
      throw new VerificationException(
          MALFORMED, "trusted root lists more than " + MAX_ENTRIES + " " + key);
    }
    List<ObjectNode> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(element(a, i, key, MALFORMED));
    }
    return out;
  }

  private static List<LogKey> logs(ObjectNode root, String key) throws VerificationException {
    List<LogKey> out = new ArrayList<>();
    int i = 0;
    for (ObjectNode log : entries(root, key)) {
      String where = key + "[" + i++ + "]";
      ObjectNode pk = object(log, "publicKey", where, MALFORMED);
      String details = optionalText(pk, "keyDetails", where + ".publicKey", MALFORMED).orElse("");
      Validity validity = validity(pk, where + ".publicKey");
      if (!pk.has("rawBytes")) {
        continue; // a placeholder without key material vouches for nothing
      }
      byte[] spki = base64(pk, "rawBytes", where + ".publicKey", MALFORMED);
      Optional<PublicKey> k = publicKey(spki, details, where);
      if (k.isEmpty()) {
        continue;
      }
      byte[] keyId = base64(object(log, "logId", where, MALFORMED), "keyId", where, MALFORMED);
      out.add(
          new LogKey(
              keyId, k.get(), validity, optionalText(log, "baseUrl", where, MALFORMED).orElse("")));
    }
    return out;
  }

  /** The key, or empty for a key type this verifier does not use (skipped, never trusted). */
  private static Optional<PublicKey> publicKey(byte[] spki, String details, String where)
      throws VerificationException {
    String algorithm;
    if (details.startsWith("PKIX_ECDSA_") || details.equals("PKIX_ECDSA_P256_HMAC_SHA_256")) {
      algorithm = "EC";
    } else if (details.equals("PKIX_ED25519") || details.equals("PKIX_ED25519_PH")) {
      algorithm = "Ed25519";
    } else if (details.startsWith("PKIX_RSA_") || details.startsWith("PKCS1_RSA_")) {
      algorithm = "RSA";
    } else if (details.isEmpty()) {
      algorithm = "EC"; // older roots omit keyDetails; their keys are P-256
    } else {
      return Optional.empty();
    }
    try {
      return Optional.of(
          KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki)));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new VerificationException(
          MALFORMED, where + ".publicKey.rawBytes is not a valid " + algorithm + " key", e);
    }
  }

  private static List<Authority> authorities(ObjectNode root, String key)
      throws VerificationException {
    List<Authority> out = new ArrayList<>();
    int i = 0;
    for (ObjectNode ca : entries(root, key)) {
      String where = key + "[" + i++ + "]";
      ObjectNode chain = object(ca, "certChain", where, MALFORMED);
      ArrayNode certs = array(chain, "certificates", where + ".certChain", MALFORMED);
      if (certs.isEmpty() || certs.size() > Bundle.MAX_CHAIN_LENGTH) {
        throw new VerificationException(
            MALFORMED,
            where + ".certChain must hold 1 to " + Bundle.MAX_CHAIN_LENGTH + " certificates");
      }
      List<X509Certificate> list = new ArrayList<>();
      for (int j = 0; j < certs.size(); j++) {
        String w = where + ".certChain.certificates[" + j + "]";
        list.add(certificate(base64(element(certs, j, w, MALFORMED), "rawBytes", w, MALFORMED), w));
      }
      out.add(
          new Authority(
              list, validity(ca, where), optionalText(ca, "uri", where, MALFORMED).orElse("")));
    }
    return out;
  }

  static X509Certificate certificate(byte[] der, String where) throws VerificationException {
    try {
      X509Certificate c =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      if (!Arrays.equals(c.getEncoded(), der)) {
        throw new VerificationException(MALFORMED, where + " has bytes after the certificate");
      }
      return c;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new VerificationException(MALFORMED, where + " is not a valid X.509 certificate", e);
    }
  }

  private static Validity validity(ObjectNode holder, String where) throws VerificationException {
    Optional<ObjectNode> v = optionalObject(holder, "validFor", where, MALFORMED);
    if (v.isEmpty()) {
      // Without a window the key is valid from the beginning: what the Sigstore clients assume.
      return new Validity(Instant.EPOCH, Optional.empty());
    }
    Instant start = instant(text(v.get(), "start", where + ".validFor", MALFORMED), where);
    Optional<String> end = optionalText(v.get(), "end", where + ".validFor", MALFORMED);
    Optional<Instant> e =
        end.isPresent() ? Optional.of(instant(end.get(), where)) : Optional.empty();
    if (e.isPresent() && e.get().isBefore(start)) {
      throw new VerificationException(MALFORMED, where + ".validFor ends before it starts");
    }
    return new Validity(start, e);
  }

  private static Instant instant(String s, String where) throws VerificationException {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new VerificationException(
          MALFORMED,
          where
              + ".validFor has a time that is not RFC 3339: "
              + VerificationException.printable(s),
          e);
    }
  }
}
