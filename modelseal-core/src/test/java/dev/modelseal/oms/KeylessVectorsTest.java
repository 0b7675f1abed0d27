package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The four keyless bundles of the OMS reference tool, verified offline against the Sigstore
 * public-good trusted root (../shared/vectors/sigstore). The identity and issuer are the ones in
 * each leaf certificate.
 */
class KeylessVectorsTest {
  static final String IDENTITY = "stefanb@us.ibm.com";
  static final String ISSUER = "https://sigstore.verify.ibm.com/oauth2";

  @TempDir Path tmp;

  static Path trustedRoot() {
    String shared = System.getProperty("modelseal.shared");
    Path p = shared == null ? null : Path.of(shared, "vectors", "sigstore", "trusted_root.json");
    assumeTrue(
        p != null && Files.isRegularFile(p),
        "Sigstore trusted root (" + p + ") absent: skipping keyless vector tests");
    return p;
  }

  private static List<String> extraIgnores(String folder) {
    return folder.startsWith("v1.0.1") ? List.of("ignore-me") : List.of();
  }

  private static ModelVerifier verifier(String folder, IdentityPolicy id) throws Exception {
    return new ModelVerifier(
        TrustPolicy.sigstore(SigstoreTrustRoot.read(trustedRoot()), id)
            .ignorePaths(extraIgnores(folder))
            .build());
  }

  private static VerificationException failure(ModelVerifier v, Path model, Path bundle) {
    return assertThrows(VerificationException.class, () -> v.verify(model, bundle));
  }

  @ParameterizedTest
  @CsvSource({"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_publicGoodKeylessBundle_verifiesWithSignerIdentity(String folder) throws Exception {
    Path dir = OmsVectors.mt(folder);
    VerifiedModel v =
        verifier(folder, IdentityPolicy.of(IDENTITY, null, ISSUER))
            .verify(dir, dir.resolve("model.sig"));
    assertThat(v.signer()).isInstanceOf(SignerIdentity.KeylessSigner.class);
    SignerIdentity.KeylessSigner s = (SignerIdentity.KeylessSigner) v.signer();
    assertThat(s.identity()).isEqualTo(IDENTITY);
    assertThat(s.issuer()).isEqualTo(ISSUER);
    assertThat(s.logUrl()).isEqualTo("https://rekor.sigstore.dev");
    assertThat(v.manifest().resources()).extracting(r -> r.name()).contains("signme-1");
  }

  @Test
  void verify_trustConfigInsteadOfTrustedRoot_verifies() throws Exception {
    trustedRoot();
    Path config = OmsVectors.mt("golden-payloads/custom_trust_config.json");
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    ModelVerifier v =
        new ModelVerifier(
            TrustPolicy.sigstore(
                    SigstoreTrustRoot.read(config), IdentityPolicy.of(IDENTITY, null, ISSUER))
                .build());
    assertThat(v.verify(dir, dir.resolve("model.sig")).signer())
        .isInstanceOf(SignerIdentity.KeylessSigner.class);
  }

  @Test
  void verify_identityRegexFullMatch_verifies() throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    verifier("v1.1.0-sigstore", IdentityPolicy.of(null, "[a-z]+@us\\.ibm\\.com", ISSUER))
        .verify(dir, dir.resolve("model.sig"));
  }

  @Test
  void verify_identityRegexPartialMatch_failsIdentityMismatch() throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    // "ibm\.com" occurs in the SAN, but the pattern must match the whole name.
    ModelVerifier v = verifier("v1.1.0-sigstore", IdentityPolicy.of(null, "ibm\\.com", ISSUER));
    assertThat(failure(v, dir, dir.resolve("model.sig")).rule())
        .isEqualTo("sigstore.identity-mismatch");
  }

  @Test
  void verify_wrongIdentity_failsIdentityMismatch() throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    ModelVerifier v =
        verifier("v1.1.0-sigstore", IdentityPolicy.of("someone@example.com", null, ISSUER));
    assertThat(failure(v, dir, dir.resolve("model.sig")).rule())
        .isEqualTo("sigstore.identity-mismatch");
  }

  @Test
  void verify_wrongIssuer_failsIssuerMismatch() throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    ModelVerifier v =
        verifier(
            "v1.1.0-sigstore", IdentityPolicy.of(IDENTITY, null, "https://accounts.google.com"));
    assertThat(failure(v, dir, dir.resolve("model.sig")).rule())
        .isEqualTo("sigstore.issuer-mismatch");
  }

  @Test
  void verify_changedModelFile_failsModelMismatch() throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    Path model =
        OmsVectors.copyFiles(dir, tmp.resolve("m"), List.of("signme-1", "signme-2", "ignore-me"));
    Files.writeString(model.resolve("signme-2"), "tampered");
    VerificationException e =
        failure(
            verifier("v1.1.0-sigstore", IdentityPolicy.of(IDENTITY, null, ISSUER)),
            model,
            dir.resolve("model.sig"));
    assertThat(e.rule()).isEqualTo(VerificationException.MODEL_MISMATCH);
    assertThat(e.differences()).extracting(ModelDifference::name).containsExactly("signme-2");
  }

  @Test
  void verify_rootWithoutFulcioCas_failsChainUntrusted() throws Exception {
    Path root = edited(j -> j.putArray("certificateAuthorities"));
    assertThat(ruleWithRoot(root)).isEqualTo("sigstore.chain-untrusted");
  }

  @Test
  void verify_fulcioCaEndsBeforeSigning_failsCaNotValidAtSigningTime() throws Exception {
    Path root =
        edited(
            j -> {
              for (var ca : j.withArray("certificateAuthorities")) {
                ((ObjectNode) ca.get("validFor")).put("end", "2023-01-01T00:00:00Z");
              }
            });
    assertThat(ruleWithRoot(root)).isEqualTo("sigstore.ca-not-valid-at-signing-time");
  }

  @Test
  void verify_rootWithoutCtLogs_failsSctLogUnknown() throws Exception {
    assertThat(ruleWithRoot(edited(j -> j.putArray("ctlogs"))))
        .isEqualTo("sigstore.sct-log-unknown");
  }

  @Test
  void verify_rootWithoutRekor_failsTlogKeyUnknown() throws Exception {
    assertThat(ruleWithRoot(edited(j -> j.putArray("tlogs"))))
        .isEqualTo("sigstore.tlog-key-unknown");
  }

  @Test
  void verify_rekorKeyNotYetValid_failsTlogKeyNotValidAtTime() throws Exception {
    Path root =
        edited(
            j -> {
              for (var t : j.withArray("tlogs")) {
                ((ObjectNode) t.at("/publicKey/validFor")).put("start", "2026-01-01T00:00:00Z");
              }
            });
    assertThat(ruleWithRoot(root)).isEqualTo("sigstore.tlog-key-not-valid-at-time");
  }

  @Test
  void verify_brokenInclusionProofHash_failsInclusionProofInvalid() throws Exception {
    Path b =
        bundle(
            j -> {
              var hashes = j.withArray("/verificationMaterial/tlogEntries/0/inclusionProof/hashes");
              hashes.set(0, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            });
    assertThat(ruleWithBundle(b)).isEqualTo("sigstore.inclusion-proof-invalid");
  }

  @Test
  void verify_setBitFlip_failsSetInvalid() throws Exception {
    Path b =
        bundle(
            j -> {
              ObjectNode e = (ObjectNode) j.at("/verificationMaterial/tlogEntries/0");
              e.put("integratedTime", String.valueOf(e.get("integratedTime").asLong() + 1));
            });
    assertThat(ruleWithBundle(b)).isEqualTo("sigstore.set-invalid");
  }

  @Test
  void verify_checkpointSignatureFlipped_failsCheckpointSignatureInvalid() throws Exception {
    Path b =
        bundle(
            j -> {
              ObjectNode cp =
                  (ObjectNode)
                      j.at("/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint");
              String env = cp.get("envelope").asText();
              // Flip a character inside the signature (after the key hint).
              int i = env.lastIndexOf(' ') + 12;
              char c = env.charAt(i) == 'A' ? 'B' : 'A';
              cp.put("envelope", env.substring(0, i) + c + env.substring(i + 1));
            });
    assertThat(ruleWithBundle(b)).isEqualTo("sigstore.checkpoint-signature-invalid");
  }

  @Test
  void verify_dsseSignatureFromOtherBundle_failsTlogBodyMismatch() throws Exception {
    // The envelope signature of another (valid) bundle: the log entry is for another signature.
    String other =
        BundleEditor.read(OmsVectors.mt("v1.0.1-sigstore/model.sig"))
            .json()
            .at("/dsseEnvelope/signatures/0/sig")
            .asText();
    Path b = bundle(j -> ((ObjectNode) j.at("/dsseEnvelope/signatures/0")).put("sig", other));
    assertThat(ruleWithBundle(b)).isEqualTo("sigstore.tlog-body-mismatch");
  }

  private String ruleWithRoot(Path root) throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    ModelVerifier v =
        new ModelVerifier(
            TrustPolicy.sigstore(
                    SigstoreTrustRoot.read(root), IdentityPolicy.of(IDENTITY, null, ISSUER))
                .build());
    return failure(v, dir, dir.resolve("model.sig")).rule();
  }

  private String ruleWithBundle(Path bundle) throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    return failure(
            verifier("v1.1.0-sigstore", IdentityPolicy.of(IDENTITY, null, ISSUER)), dir, bundle)
        .rule();
  }

  private Path edited(java.util.function.Consumer<ObjectNode> edit) throws Exception {
    return BundleEditor.read(trustedRoot()).bundle(edit).write(tmp.resolve("root.json"));
  }

  private Path bundle(java.util.function.Consumer<ObjectNode> edit) throws Exception {
    trustedRoot();
    return BundleEditor.read(OmsVectors.mt("v1.1.0-sigstore/model.sig"))
        .bundle(edit)
        .write(tmp.resolve("model.sig"));
  }
}
