package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.oms.FakeSigstore.LeafOptions;
import dev.modelseal.oms.FakeSigstore.LogOptions;
import dev.modelseal.oms.FakeSigstore.SctMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless verification against a Fulcio CA, CT log and Rekor log of the tests' own ({@link
 * FakeSigstore}): a bundle made correctly verifies, and each broken part fails under its own rule.
 */
class KeylessFakeSigstoreTest {
  static final String EMAIL = "signer@example.com";
  static FakeSigstore sigstore;

  @TempDir Path tmp;
  Path model;
  Path root;
  SigningKey key;

  @BeforeAll
  static void fulcio() throws Exception {
    sigstore = new FakeSigstore();
  }

  @BeforeEach
  void setUp() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.writeString(model.resolve("config.json"), "{}");
    root = sigstore.trustedRoot(tmp.resolve("trusted_root.json"));
    key = SigningKey.generate(Curve.P256);
  }

  private Path signed() throws Exception {
    return ModelSigner.builder(key).build().sign(model, tmp.resolve("key.sig")).signature();
  }

  private Path bundle(LeafOptions leaf, LogOptions log) throws Exception {
    X509Certificate cert = sigstore.leaf(key.publicKey(), leaf);
    return sigstore.keylessBundle(signed(), cert, log, tmp.resolve("keyless.sig"));
  }

  private Path bundle() throws Exception {
    return bundle(LeafOptions.email(EMAIL), sigstore.logOptions());
  }

  private VerifiedModel verify(Path bundle, IdentityPolicy id) throws Exception {
    return new ModelVerifier(TrustPolicy.sigstore(SigstoreTrustRoot.read(root), id).build())
        .verify(model, bundle);
  }

  private String rule(Path bundle) {
    return rule(bundle, IdentityPolicy.of(EMAIL, null, FakeSigstore.ISSUER));
  }

  private String rule(Path bundle, IdentityPolicy id) {
    return assertThrows(VerificationException.class, () -> verify(bundle, id)).rule();
  }

  @Test
  void verify_wellFormedKeylessBundle_verifies() throws Exception {
    VerifiedModel v = verify(bundle(), IdentityPolicy.of(EMAIL, null, FakeSigstore.ISSUER));
    SignerIdentity.KeylessSigner s = (SignerIdentity.KeylessSigner) v.signer();
    assertThat(s.identity()).isEqualTo(EMAIL);
    assertThat(s.issuer()).isEqualTo(FakeSigstore.ISSUER);
    assertThat(s.logIndex()).isEqualTo(1003);
    assertThat(s.logUrl()).isEqualTo("https://rekor.fake");
  }

  @Test
  void verify_intotoEntryKind_verifies() throws Exception {
    LogOptions l = sigstore.logOptions();
    Path b =
        bundle(
            LeafOptions.email(EMAIL),
            new LogOptions(
                "intoto", l.integratedTime(), l.checkpointKey(), l.checkpointHintKeyId()));
    assertThat(verify(b, IdentityPolicy.of(EMAIL, null, FakeSigstore.ISSUER)).signer())
        .isInstanceOf(SignerIdentity.KeylessSigner.class);
  }

  @Test
  void verify_leafFromAnotherCa_failsChainUntrusted() throws Exception {
    FakeSigstore other = new FakeSigstore();
    X509Certificate cert = other.leaf(key.publicKey(), LeafOptions.email(EMAIL));
    Path b =
        sigstore.keylessBundle(signed(), cert, sigstore.logOptions(), tmp.resolve("other.sig"));
    assertThat(rule(b)).isEqualTo("sigstore.chain-untrusted");
  }

  @Test
  void verify_caWindowEndedBeforeSigning_failsCaNotValidAtSigningTime() throws Exception {
    ObjectNode r = (ObjectNode) new ObjectMapper().readTree(root.toFile());
    ((ObjectNode) r.at("/certificateAuthorities/0/validFor"))
        .put("end", Instant.now().minus(Duration.ofDays(1)).toString());
    Files.write(root, new ObjectMapper().writeValueAsBytes(r));
    assertThat(rule(bundle())).isEqualTo("sigstore.ca-not-valid-at-signing-time");
  }

  @Test
  void verify_leafWithoutSct_failsSctMissing() throws Exception {
    Path b = bundle(LeafOptions.email(EMAIL).withSct(SctMode.NONE), sigstore.logOptions());
    assertThat(rule(b)).isEqualTo("sigstore.sct-missing");
  }

  @Test
  void verify_sctSignatureOverOtherData_failsSctInvalid() throws Exception {
    Path b = bundle(LeafOptions.email(EMAIL).withSct(SctMode.BAD_SIGNATURE), sigstore.logOptions());
    assertThat(rule(b)).isEqualTo("sigstore.sct-invalid");
  }

  @Test
  void verify_sctFromUnknownLog_failsSctLogUnknown() throws Exception {
    Path b = bundle(LeafOptions.email(EMAIL).withSct(SctMode.UNKNOWN_LOG), sigstore.logOptions());
    assertThat(rule(b)).isEqualTo("sigstore.sct-log-unknown");
  }

  @Test
  void verify_checkpointSignedByAnotherKey_failsCheckpointSignatureInvalid() throws Exception {
    LogOptions l = sigstore.logOptions();
    // Another key, even one presenting the log's key hint.
    Path b =
        bundle(
            LeafOptions.email(EMAIL),
            new LogOptions(
                "dsse",
                l.integratedTime(),
                FakeSigstore.ec("secp256r1").getPrivate(),
                l.checkpointHintKeyId()));
    assertThat(rule(b)).isEqualTo("sigstore.checkpoint-signature-invalid");
  }

  @Test
  void verify_inclusionProofForOtherIndex_failsInclusionProofInvalid() throws Exception {
    Path b =
        edit(bundle(), j -> ((ObjectNode) entry(j).get("inclusionProof")).put("logIndex", "2"));
    assertThat(rule(b)).isEqualTo("sigstore.inclusion-proof-invalid");
  }

  @Test
  void verify_integratedTimeAfterCertificateExpiry_failsIntegratedTimeOutsideValidity()
      throws Exception {
    LogOptions l = sigstore.logOptions();
    Path b =
        bundle(
            LeafOptions.email(EMAIL),
            new LogOptions(
                "dsse",
                Instant.now().plus(Duration.ofMinutes(30)),
                l.checkpointKey(),
                l.checkpointHintKeyId()));
    assertThat(rule(b)).isEqualTo("sigstore.integrated-time-outside-validity");
  }

  @Test
  void verify_entryBodyForAnotherSignature_failsTlogBodyMismatch() throws Exception {
    // A correctly logged entry, but the envelope now carries a different (valid) signature.
    Path b = bundle();
    byte[] pae = Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, BundleEditor.read(b).payload());
    String other = FakeSigstore.b64(Ecdsa.sign(key, pae));
    Path changed =
        edit(b, j -> ((ObjectNode) j.at("/dsseEnvelope/signatures/0")).put("sig", other));
    assertThat(rule(changed)).isEqualTo("sigstore.tlog-body-mismatch");
  }

  @Test
  void verify_badDsseSignatureLoggedAsIs_failsSignatureInvalid() throws Exception {
    // The log recorded the bad signature faithfully, so only the DSSE check can catch it.
    Path s = signed();
    Path bad =
        edit(
            s,
            j -> {
              ObjectNode sig = (ObjectNode) j.at("/dsseEnvelope/signatures/0");
              byte[] raw = java.util.Base64.getDecoder().decode(sig.get("sig").asText());
              raw[raw.length - 1] ^= 1;
              sig.put("sig", FakeSigstore.b64(raw));
            });
    X509Certificate cert = sigstore.leaf(key.publicKey(), LeafOptions.email(EMAIL));
    Path b = sigstore.keylessBundle(bad, cert, sigstore.logOptions(), tmp.resolve("bad.sig"));
    assertThat(rule(b)).isEqualTo("oms.signature-invalid");
  }

  @Test
  void verify_uriSanExactAndRegex_verifiesAndAnchorsRegex() throws Exception {
    String uri = "https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main";
    Path b =
        bundle(
            LeafOptions.email(EMAIL)
                .withSan(new GeneralName(GeneralName.uniformResourceIdentifier, uri)),
            sigstore.logOptions());
    assertThat(
            ((SignerIdentity.KeylessSigner)
                    verify(b, IdentityPolicy.of(uri, null, FakeSigstore.ISSUER)).signer())
                .identity())
        .isEqualTo(uri);
    verify(
        b,
        IdentityPolicy.of(
            null, "https://github\\.com/org/repo/\\.github/workflows/.*", FakeSigstore.ISSUER));
    // A pattern that matches only a part of the name does not match.
    assertThat(
            rule(b, IdentityPolicy.of(null, "https://github\\.com/org/repo", FakeSigstore.ISSUER)))
        .isEqualTo("sigstore.identity-mismatch");
    assertThat(
            rule(b, IdentityPolicy.of(null, "release\\.yml@refs/heads/main", FakeSigstore.ISSUER)))
        .isEqualTo("sigstore.identity-mismatch");
  }

  @Test
  void verify_emailIdentityWrongIssuer_failsIssuerMismatch() throws Exception {
    assertThat(rule(bundle(), IdentityPolicy.of(EMAIL, null, "https://other.example")))
        .isEqualTo("sigstore.issuer-mismatch");
  }

  @Test
  void sigstorePolicy_withoutIssuer_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            TrustPolicy.sigstore(
                SigstoreTrustRoot.read(root), IdentityPolicy.of(EMAIL, null, null)));
  }

  @Test
  void read_trustedRootWithWrongMediaType_failsTrustedRootMalformed() throws Exception {
    Files.writeString(root, "{\"mediaType\":\"application/json\"}");
    assertThat(assertThrows(VerificationException.class, () -> SigstoreTrustRoot.read(root)).rule())
        .isEqualTo("sigstore.trusted-root-malformed");
  }

  private static ObjectNode entry(ObjectNode bundle) {
    return (ObjectNode) bundle.at("/verificationMaterial/tlogEntries/0");
  }

  private Path edit(Path bundle, java.util.function.Consumer<ObjectNode> e) throws Exception {
    return BundleEditor.read(bundle).bundle(e).write(tmp.resolve("edited-" + bundle.getFileName()));
  }
}
