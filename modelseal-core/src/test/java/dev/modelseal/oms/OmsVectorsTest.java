package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.oms.SignerIdentity.CertificateSigner;
import dev.modelseal.oms.SignerIdentity.PublicKeySigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every bundle in the shared vectors: model-transparency releases 0.2 to 1.1 (key, certificate,
 * keyless) and the OMS spec's valid and invalid bundles.
 */
class OmsVectorsTest {
  @TempDir Path tmp;

  private static ECPublicKey vectorKey() throws Exception {
    return KeyFiles.readPublicKey(OmsVectors.keys("signing-key-pub.pem"));
  }

  private static ModelVerifier keyVerifier(List<String> ignores) throws Exception {
    return new ModelVerifier(TrustPolicy.publicKey(vectorKey()).ignorePaths(ignores).build());
  }

  private static ModelVerifier certVerifier(List<String> ignores) throws Exception {
    return new ModelVerifier(
        TrustPolicy.trustAnchors(KeyFiles.readCertificates(OmsVectors.keys("ca-cert.pem")))
            .ignorePaths(ignores)
            .build());
  }

  /** v0.3.1 and v1.0.0 signed the single file signme-1 (resource "."); later ones the folder. */
  private static Path modelOf(String folder) {
    Path dir = OmsVectors.mt(folder);
    return folder.startsWith("v0.3.1-elliptic") || folder.startsWith("v1.0.0-elliptic")
        ? dir.resolve("signme-1")
        : dir;
  }

  /** v1.0.x excluded ignore-me without recording it, so the verifier is told to ignore it too. */
  private static List<String> extraIgnores(String folder) {
    return folder.startsWith("v1.0.1") ? List.of("ignore-me") : List.of();
  }

  @ParameterizedTest
  @CsvSource({
    "v0.3.1-elliptic-key",
    "v1.0.0-elliptic-key",
    "v1.0.1-elliptic-key",
    "v1.1.0-elliptic-key"
  })
  void verify_modelTransparencyKeyBundle_verifies(String folder) throws Exception {
    Path dir = OmsVectors.mt(folder);
    VerifiedModel v =
        keyVerifier(extraIgnores(folder)).verify(modelOf(folder), dir.resolve("model.sig"));
    assertThat(v.legacyFormat()).isFalse();
    assertThat(v.signer()).isInstanceOf(PublicKeySigner.class);
    assertThat(((PublicKeySigner) v.signer()).keyHint())
        .isEqualTo("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
    assertThat(v.manifest().resources()).extracting(r -> r.name()).contains("signme-1");
  }

  @ParameterizedTest
  @CsvSource({
    "v0.2.0-certificate, true",
    "v0.3.1-certificate, false",
    "v1.0.0-certificate, false",
    "v1.0.1-certificate, false",
    "v1.1.0-certificate, false"
  })
  void verify_modelTransparencyCertificateBundle_verifies(String folder, boolean legacy)
      throws Exception {
    Path dir = OmsVectors.mt(folder);
    VerifiedModel v = certVerifier(extraIgnores(folder)).verify(dir, dir.resolve("model.sig"));
    assertThat(v.legacyFormat()).isEqualTo(legacy);
    assertThat(v.signer()).isInstanceOf(CertificateSigner.class);
    assertThat(((CertificateSigner) v.signer()).subject()).isEqualTo("CN=intermediate-ca");
    assertThat(v.manifest().resources())
        .extracting(r -> r.name())
        .containsExactly("signme-1", "signme-2");
    assertThat(v.fileCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_modelTransparencyKeylessBundle_checksThenRefuses(String folder) throws Exception {
    Path dir = OmsVectors.mt(folder);
    ModelVerifier v =
        new ModelVerifier(TrustPolicy.sigstore().ignorePaths(extraIgnores(folder)).build());
    assertThatThrownBy(() -> v.verify(dir, dir.resolve("model.sig")))
        .isInstanceOf(VerificationException.class)
        .extracting(e -> ((VerificationException) e).rule())
        .isEqualTo("oms.keyless-trust-not-configured");
  }

  @Test
  void verify_keylessBundleOverTamperedModel_reportsMismatchBeforeRefusing() throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    Path model =
        OmsVectors.copyFiles(dir, tmp.resolve("m"), List.of("signme-1", "signme-2", "ignore-me"));
    Files.writeString(model.resolve("signme-1"), "tampered");
    ModelVerifier v = new ModelVerifier(TrustPolicy.sigstore().build());
    VerificationException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            VerificationException.class, () -> v.verify(model, dir.resolve("model.sig")));
    assertThat(e.rule()).isEqualTo("oms.model-mismatch");
    assertThat(e.differences()).extracting(ModelDifference::name).containsExactly("signme-1");
  }

  @Test
  void verify_specValidKeyBundle_verifiesAgainstElliptickeyModel() throws Exception {
    Path model =
        OmsVectors.copyFiles(
            OmsVectors.mt("v1.1.0-elliptic-key"),
            tmp.resolve("model"),
            List.of("signme-1", "signme-2", "ignore-me"));
    VerifiedModel v =
        keyVerifier(List.of()).verify(model, OmsVectors.spec("valid/key.bundle.json"));
    assertThat(v.rootDigest().hex())
        .isEqualTo("92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4");
  }

  @Test
  void verify_specValidCertificateBundle_verifiesAgainstElliptickeyModel() throws Exception {
    Path model =
        OmsVectors.copyFiles(
            OmsVectors.mt("v1.1.0-elliptic-key"),
            tmp.resolve("model"),
            List.of("signme-1", "signme-2", "ignore-me"));
    VerifiedModel v =
        certVerifier(List.of()).verify(model, OmsVectors.spec("valid/certificate.bundle.json"));
    assertThat(v.signer()).isInstanceOf(CertificateSigner.class);
  }

  @Test
  void verify_specValidSigstoreBundle_checksThenRefuses() throws Exception {
    ModelVerifier v = new ModelVerifier(TrustPolicy.sigstore().build());
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    assertThatThrownBy(() -> v.verify(dir, OmsVectors.spec("valid/sigstore.bundle.json")))
        .extracting(e -> ((VerificationException) e).rule())
        .isEqualTo("oms.keyless-trust-not-configured");
  }

  @ParameterizedTest
  @CsvSource({
    "invalid/empty.bundle.json, key, oms.bundle-malformed",
    "invalid/missing-envelope.bundle.json, key, oms.bundle-malformed",
    "invalid/missing-verification-material.bundle.json, key, oms.bundle-malformed",
    "invalid/missing-tlog-entries.bundle.json, sigstore, oms.tlog-entries-missing",
    "invalid/missing-tlog-entries.bundle.json, key, oms.method-mismatch",
    // The spec's vector edits the payload but keeps the valid bundle's signature: the signature
    // is checked before the statement is read, so that is what fails (OMS 8.2 before 8.3).
    // OmsTamperTest re-signs a wrong predicate type to reach oms.predicate-type.
    "invalid-payload/wrong-predicate.bundle.json, key, oms.signature-invalid"
  })
  void verify_specInvalidBundle_failsWithRule(String bundle, String method, String rule)
      throws Exception {
    Path model =
        OmsVectors.copyFiles(
            OmsVectors.mt("v1.1.0-elliptic-key"),
            tmp.resolve("model"),
            List.of("signme-1", "signme-2", "ignore-me"));
    ModelVerifier v =
        method.equals("key")
            ? keyVerifier(List.of())
            : new ModelVerifier(TrustPolicy.sigstore().build());
    assertThatThrownBy(() -> v.verify(model, OmsVectors.spec(bundle)))
        .isInstanceOf(VerificationException.class)
        .extracting(e -> ((VerificationException) e).rule())
        .isEqualTo(rule);
  }

  @Test
  void keyHint_vectorPublicKeyWithPreamble_matchesBundleHint() throws Exception {
    assertThat(KeyFiles.keyHint(vectorKey()))
        .isEqualTo("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
    SigningKey k = KeyFiles.readPrivateKey(OmsVectors.keys("signing-key.pem"), null);
    assertThat(k.curve()).isEqualTo(Curve.P384);
    assertThat(k.publicKey().getW()).isEqualTo(vectorKey().getW());
  }
}
