package dev.modelseal.oms;

import static dev.modelseal.oms.StrictJson.array;
import static dev.modelseal.oms.StrictJson.base64;
import static dev.modelseal.oms.StrictJson.element;
import static dev.modelseal.oms.StrictJson.object;
import static dev.modelseal.oms.StrictJson.onlyKeys;
import static dev.modelseal.oms.StrictJson.optionalObject;
import static dev.modelseal.oms.StrictJson.optionalText;
import static dev.modelseal.oms.StrictJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Sigstore bundle v0.3 as OMS uses it, parsed strictly (the OMS bundle and envelope schemas
 * forbid additional properties). Nothing in it is trusted yet: {@link ModelVerifier} checks it.
 */
final class Bundle {
  static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

  /** The same version in the older media-type spelling Sigstore also defines. */
  static final String MEDIA_TYPE_ALT = "application/vnd.dev.sigstore.bundle+json;version=0.3";

  static final String MALFORMED = "oms.bundle-malformed";

  /** Longer chains are not certificate chains anyone uses; bounds the PKIX work. */
  static final int MAX_CHAIN_LENGTH = 10;

  private final String mediaType;
  private final Material material;
  private final String payloadType;
  private final byte[] payload;
  private final byte[] signature;

  private Bundle(
      String mediaType, Material material, String payloadType, byte[] payload, byte[] signature) {
    this.mediaType = mediaType;
    this.material = material;
    this.payloadType = payloadType;
    this.payload = payload;
    this.signature = signature;
  }

  String mediaType() {
    return mediaType;
  }

  Material material() {
    return material;
  }

  String payloadType() {
    return payloadType;
  }

  /** The exact signed payload bytes (base64-decoded, never re-serialized). */
  byte[] payload() {
    return payload.clone();
  }

  byte[] signature() {
    return signature.clone();
  }

  /** The verification material, one of the three OMS signing methods. */
  sealed interface Material permits KeyMaterial, ChainMaterial, KeylessMaterial {
    /** The OMS method name: key, certificate or sigstore. */
    String method();
  }

  /**
   * {@code publicKey}: a hint (current) and/or the PEM text of the key (pre-1.1 {@code rawBytes}).
   */
  record KeyMaterial(Optional<String> hint, Optional<String> pem) implements Material {
    @Override
    public String method() {
      return "key";
    }
  }

  /** {@code x509CertificateChain}: leaf first, then intermediates, in bundle order. */
  record ChainMaterial(List<X509Certificate> certificates) implements Material {
    @Override
    public String method() {
      return "certificate";
    }
  }

  /** {@code certificate} plus {@code tlogEntries}: Sigstore keyless (Fulcio + Rekor). */
  record KeylessMaterial(X509Certificate leaf, List<JsonNode> tlogEntries) implements Material {
    KeylessMaterial {
      // Deep copies: the entries are checked later and must be the bytes parsed here.
      tlogEntries = tlogEntries.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    @Override
    public List<JsonNode> tlogEntries() {
      return tlogEntries.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    @Override
    public String method() {
      return "sigstore";
    }
  }

  static Bundle parse(byte[] json, StrictJson strict) throws VerificationException {
    ObjectNode root = strict.parseObject(json, "the bundle", MALFORMED);
    onlyKeys(
        root, Set.of("mediaType", "verificationMaterial", "dsseEnvelope"), "bundle", MALFORMED);
    String mediaType = text(root, "mediaType", "bundle", MALFORMED);
    if (!mediaType.equals(MEDIA_TYPE) && !mediaType.equals(MEDIA_TYPE_ALT)) {
      throw new VerificationException(
          "oms.media-type",
          "bundle media type is '"
              + VerificationException.printable(mediaType)
              + "', expected '"
              + MEDIA_TYPE
              + "'");
    }
    Material material = material(object(root, "verificationMaterial", "bundle", MALFORMED));

    ObjectNode env = object(root, "dsseEnvelope", "bundle", MALFORMED);
    onlyKeys(env, Set.of("payload", "payloadType", "signatures"), "dsseEnvelope", MALFORMED);
    String payloadType = text(env, "payloadType", "dsseEnvelope", MALFORMED);
    if (!payloadType.equals(Dsse.IN_TOTO_PAYLOAD_TYPE)) {
      throw new VerificationException(
          "oms.payload-type",
          "DSSE payload type is '"
              + VerificationException.printable(payloadType)
              + "', expected '"
              + Dsse.IN_TOTO_PAYLOAD_TYPE
              + "'");
    }
    byte[] payload = base64(env, "payload", "dsseEnvelope", MALFORMED);
    ArrayNode sigs = array(env, "signatures", "dsseEnvelope", MALFORMED);
    if (sigs.size() != 1) {
      throw new VerificationException(
          "oms.signature-count",
          "the DSSE envelope carries " + sigs.size() + " signatures; OMS requires exactly one");
    }
    ObjectNode sig = element(sigs, 0, "dsseEnvelope.signatures", MALFORMED);
    onlyKeys(sig, Set.of("sig", "keyid"), "dsseEnvelope.signatures[0]", MALFORMED);
    JsonNode keyid = sig.get("keyid");
    if (keyid != null && !keyid.isNull() && !keyid.isTextual()) {
      // OMS ignores keyid, but it must still be what DSSE allows: absent, null or a string.
      throw new VerificationException(
          MALFORMED, "dsseEnvelope.signatures[0].keyid is not a string");
    }
    byte[] signature = base64(sig, "sig", "dsseEnvelope.signatures[0]", MALFORMED);
    return new Bundle(mediaType, material, payloadType, payload, signature);
  }

  private static Material material(ObjectNode vm) throws VerificationException {
    String where = "verificationMaterial";
    onlyKeys(
        vm,
        Set.of(
            "publicKey",
            "x509CertificateChain",
            "certificate",
            "tlogEntries",
            "timestampVerificationData"),
        where,
        MALFORMED);
    int kinds =
        (vm.has("publicKey") ? 1 : 0)
            + (vm.has("x509CertificateChain") ? 1 : 0)
            + (vm.has("certificate") ? 1 : 0);
    if (kinds != 1) {
      throw new VerificationException(
          MALFORMED,
          where + " must hold exactly one of publicKey, x509CertificateChain, certificate");
    }
    int tlog = 0;
    List<JsonNode> tlogEntries = new ArrayList<>();
    if (vm.has("tlogEntries")) {
      ArrayNode entries = array(vm, "tlogEntries", where, MALFORMED);
      for (int i = 0; i < entries.size(); i++) {
        tlogEntries.add(element(entries, i, where + ".tlogEntries", MALFORMED));
      }
      tlog = entries.size();
    }
    boolean timestamps = false;
    Optional<ObjectNode> tvd = optionalObject(vm, "timestampVerificationData", where, MALFORMED);
    if (tvd.isPresent() && tvd.get().has("rfc3161Timestamps")) {
      timestamps = !array(tvd.get(), "rfc3161Timestamps", where, MALFORMED).isEmpty();
    }
    if (vm.has("publicKey")) {
      ObjectNode pk = object(vm, "publicKey", where, MALFORMED);
      Optional<String> hint = optionalText(pk, "hint", where + ".publicKey", MALFORMED);
      Optional<String> pem = Optional.empty();
      if (pk.has("rawBytes")) {
        pem =
            Optional.of(
                new String(
                    base64(pk, "rawBytes", where + ".publicKey", MALFORMED),
                    StandardCharsets.US_ASCII));
      }
      optionalText(pk, "keyDetails", where + ".publicKey", MALFORMED);
      if (hint.isEmpty() && pem.isEmpty()) {
        throw new VerificationException(
            MALFORMED, where + ".publicKey has neither hint nor rawBytes");
      }
      if (hint.isPresent() && hint.get().isEmpty()) {
        throw new VerificationException(MALFORMED, where + ".publicKey.hint is empty");
      }
      checkNoTransparencyEvidence(tlog, timestamps, "key");
      return new KeyMaterial(hint, pem);
    }
    if (vm.has("x509CertificateChain")) {
      ObjectNode chain = object(vm, "x509CertificateChain", where, MALFORMED);
      ArrayNode certs = array(chain, "certificates", where + ".x509CertificateChain", MALFORMED);
      if (certs.isEmpty() || certs.size() > MAX_CHAIN_LENGTH) {
        throw new VerificationException(
            MALFORMED,
            where + ".x509CertificateChain must hold 1 to " + MAX_CHAIN_LENGTH + " certificates");
      }
      List<X509Certificate> out = new ArrayList<>(certs.size());
      for (int i = 0; i < certs.size(); i++) {
        String w = where + ".x509CertificateChain.certificates[" + i + "]";
        out.add(certificate(element(certs, i, w, MALFORMED), w));
      }
      checkNoTransparencyEvidence(tlog, timestamps, "certificate");
      return new ChainMaterial(List.copyOf(out));
    }
    X509Certificate leaf =
        certificate(object(vm, "certificate", where, MALFORMED), where + ".certificate");
    return new KeylessMaterial(leaf, tlogEntries);
  }

  /**
   * Key and certificate verification has no log or timestamp authority to check such evidence
   * against; accepting it unchecked would let a reader believe it was verified (fail closed).
   */
  private static void checkNoTransparencyEvidence(int tlog, boolean timestamps, String method)
      throws VerificationException {
    if (tlog > 0 || timestamps) {
      throw new VerificationException(
          "oms.tlog-unsupported",
          "a "
              + method
              + "-method bundle carries transparency-log entries or timestamps, which this"
              + " verifier cannot check");
    }
  }

  private static X509Certificate certificate(ObjectNode holder, String where)
      throws VerificationException {
    byte[] der = base64(holder, "rawBytes", where, MALFORMED);
    if (der[0] != 0x30) {
      throw new VerificationException(MALFORMED, where + " is not a DER certificate");
    }
    try {
      X509Certificate c =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      if (!Arrays.equals(c.getEncoded(), der)) {
        throw new VerificationException(MALFORMED, where + " has bytes after the certificate");
      }
      return c;
    } catch (CertificateException | RuntimeException e) {
      throw new VerificationException(MALFORMED, where + " is not a valid X.509 certificate", e);
    }
  }
}
