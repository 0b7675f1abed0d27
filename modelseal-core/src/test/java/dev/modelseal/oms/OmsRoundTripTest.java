package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.manifest.ModelTreeException;
import dev.modelseal.manifest.ResourceDigest;
import dev.modelseal.manifest.SerializationMethod;
import dev.modelseal.oms.SignerIdentity.CertificateSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sign then verify: curves, shapes of models, ignore paths, symlinks, shards, determinism. */
class OmsRoundTripTest {
  @TempDir Path tmp;

  private static final ObjectMapper JSON = new ObjectMapper();

  static Path model(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("tokenizer"));
    Files.writeString(dir.resolve("config.json"), "{\"a\":1}");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.writeString(dir.resolve("tokenizer/vocab.txt"), "a\nb\n");
    Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    return dir;
  }

  static JsonNode payloadOf(Path bundle) throws Exception {
    JsonNode b = JSON.readTree(bundle.toFile());
    return JSON.readTree(Base64.getDecoder().decode(b.at("/dsseEnvelope/payload").asText()));
  }

  @ParameterizedTest
  @EnumSource(Curve.class)
  void sign_eachCurve_verifiesWithItsPublicKey(Curve curve) throws Exception {
    Path m = model(tmp.resolve("m"));
    SigningKey k = SigningKey.generate(curve);
    SignedModel s = ModelSigner.builder(k).build().sign(m, m.resolve("model.sig"));
    VerifiedModel v =
        new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build()).verify(m, s.signature());
    assertThat(v.rootDigest()).isEqualTo(s.rootDigest());
    assertThat(v.legacyFormat()).isFalse();
    assertThat(v.fileCount()).isEqualTo(4);
    assertThat(v.signer().describe()).contains(KeyFiles.keyHint(k.publicKey()));
  }

  @Test
  void sign_folder_writesSortedResourcesAndRecordsIgnores() throws Exception {
    Path m = model(tmp.resolve("my-model"));
    SigningKey k = SigningKey.generate(Curve.P256);
    ModelSigner.builder(k).build().sign(m, m.resolve("model.sig"));
    JsonNode st = payloadOf(m.resolve("model.sig"));
    assertThat(st.at("/subject/0/name").asText()).isEqualTo("my-model");
    List<String> names = st.at("/predicate/resources").findValuesAsText("name");
    // UTF-8 byte order: '.' (0x2e) sorts before '/' (0x2f).
    assertThat(names)
        .containsExactly(
            "config.json", "model.safetensors", "tokenizer.json", "tokenizer/vocab.txt");
    assertThat(st.at("/predicate/serialization/ignore_paths"))
        .extracting(JsonNode::asText)
        .containsExactly(
            ".git", ".gitattributes", ".github", ".gitignore", "model.sig", "model.sig.tensors");
    assertThat(st.at("/predicate/serialization/method").asText()).isEqualTo("files");
    assertThat(st.at("/predicate/serialization/hash_type").asText()).isEqualTo("sha256");
    assertThat(st.at("/predicate/serialization/allow_symlinks").asBoolean()).isFalse();
    assertThat(st.at("/predicate/serialization/shard_size").isMissingNode()).isTrue();
  }

  @Test
  void sign_twice_givesIdenticalPayloadBytes() throws Exception {
    Path m = model(tmp.resolve("m"));
    SigningKey k = SigningKey.generate(Curve.P256);
    ModelSigner signer = ModelSigner.builder(k).build();
    signer.sign(m, tmp.resolve("a.sig"));
    signer.sign(m, tmp.resolve("b.sig"));
    JsonNode a = JSON.readTree(tmp.resolve("a.sig").toFile());
    JsonNode b = JSON.readTree(tmp.resolve("b.sig").toFile());
    assertThat(a.at("/dsseEnvelope/payload")).isEqualTo(b.at("/dsseEnvelope/payload"));
    assertThat(a.at("/verificationMaterial")).isEqualTo(b.at("/verificationMaterial"));
  }

  @Test
  void sign_singleFile_namesResourceByBasenameAndVerifies() throws Exception {
    Path f = tmp.resolve("weights.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    SigningKey k = SigningKey.generate(Curve.P384);
    ModelSigner.builder(k).build().sign(f, tmp.resolve("weights.safetensors.sig"));
    JsonNode st = payloadOf(tmp.resolve("weights.safetensors.sig"));
    assertThat(st.at("/predicate/resources/0/name").asText()).isEqualTo("weights.safetensors");
    assertThat(st.at("/subject/0/name").asText()).isEqualTo("weights.safetensors");
    VerifiedModel v =
        new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build())
            .verify(f, tmp.resolve("weights.safetensors.sig"));
    assertThat(v.manifest().resources())
        .extracting(ResourceDigest::name)
        .containsExactly("weights.safetensors");
  }

  @Test
  void sign_unicodeAndNestedNames_roundTrip() throws Exception {
    Path m = tmp.resolve("m");
    Files.createDirectories(m.resolve("ü/ñ/日本"));
    Files.writeString(m.resolve("ü/ñ/日本/重み.bin"), "x");
    Files.writeString(m.resolve("Z.txt"), "z");
    Files.writeString(m.resolve("é.txt"), "e");
    SigningKey k = SigningKey.generate(Curve.P256);
    ModelSigner.builder(k).build().sign(m, tmp.resolve("m.sig"));
    JsonNode st = payloadOf(tmp.resolve("m.sig"));
    assertThat(st.at("/predicate/resources").findValuesAsText("name"))
        .containsExactly("Z.txt", "é.txt", "ü/ñ/日本/重み.bin");
    assertThat(Files.readString(tmp.resolve("m.sig"), StandardCharsets.UTF_8)).doesNotContain("\r");
    new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build()).verify(m, tmp.resolve("m.sig"));
  }

  @Test
  void sign_ignorePaths_excludesAndRecordsThem() throws Exception {
    Path m = model(tmp.resolve("m"));
    Files.createDirectories(m.resolve("cache/x"));
    Files.writeString(m.resolve("cache/x/junk"), "junk");
    Files.createDirectories(m.resolve(".git"));
    Files.writeString(m.resolve(".git/HEAD"), "ref");
    SigningKey k = SigningKey.generate(Curve.P256);
    ModelSigner.builder(k).ignorePaths(List.of("cache")).build().sign(m, m.resolve("model.sig"));
    JsonNode st = payloadOf(m.resolve("model.sig"));
    assertThat(st.at("/predicate/resources").findValuesAsText("name"))
        .noneMatch(n -> n.startsWith("cache") || n.startsWith(".git"));
    assertThat(st.at("/predicate/serialization/ignore_paths"))
        .extracting(JsonNode::asText)
        .contains("cache");
    // The verifier applies the signed ignore path: changing ignored content still verifies.
    Files.writeString(m.resolve("cache/x/junk"), "other junk");
    Files.writeString(m.resolve("cache/new"), "new");
    new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build())
        .verify(m, m.resolve("model.sig"));
  }

  @Test
  void sign_badIgnorePath_isRejected() {
    SigningKey k = SigningKey.generate(Curve.P256);
    for (String bad : List.of("../x", "/abs", "a/*.bin", "a/../b", "", "?")) {
      assertThatThrownBy(() -> ModelSigner.builder(k).ignorePaths(List.of(bad)))
          .isInstanceOf(ModelTreeException.class)
          .extracting(e -> ((ModelTreeException) e).rule())
          .isEqualTo("tree.bad-ignore-path");
    }
  }

  @Test
  void sign_symlinksAllowed_roundTripsOnlyWhenVerifierAllowsThem() throws Exception {
    Path m = model(tmp.resolve("m"));
    Files.createSymbolicLink(m.resolve("alias.json"), m.resolve("config.json"));
    SigningKey k = SigningKey.generate(Curve.P256);
    ModelSigner.builder(k).allowSymlinks(true).build().sign(m, m.resolve("model.sig"));
    assertThat(
            payloadOf(m.resolve("model.sig"))
                .at("/predicate/serialization/allow_symlinks")
                .asBoolean())
        .isTrue();
    new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).allowSymlinks().build())
        .verify(m, m.resolve("model.sig"));
    assertThatThrownBy(
            () ->
                new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build())
                    .verify(m, m.resolve("model.sig")))
        .extracting(e -> ((VerificationException) e).rule())
        .isEqualTo("oms.symlinks-not-allowed");
  }

  @Test
  void sign_symlinkWithoutPermission_isRefused() throws Exception {
    Path m = model(tmp.resolve("m"));
    Files.createSymbolicLink(m.resolve("alias.json"), m.resolve("config.json"));
    SigningKey k = SigningKey.generate(Curve.P256);
    assertThatThrownBy(() -> ModelSigner.builder(k).build().sign(m, m.resolve("model.sig")))
        .isInstanceOf(ModelTreeException.class)
        .extracting(e -> ((ModelTreeException) e).rule())
        .isEqualTo("tree.symlink-not-allowed");
  }

  @Test
  void sign_shards_writesIntegerShardSizeAndVerifies() throws Exception {
    Path m = model(tmp.resolve("m"));
    SigningKey k = SigningKey.generate(Curve.P256);
    SignedModel s = ModelSigner.builder(k).shardSize(4).build().sign(m, m.resolve("model.sig"));
    assertThat(s.manifest().method()).isEqualTo(SerializationMethod.SHARDS);
    JsonNode st = payloadOf(m.resolve("model.sig"));
    assertThat(st.at("/predicate/serialization/shard_size").isIntegralNumber()).isTrue();
    assertThat(st.at("/predicate/serialization/shard_size").asLong()).isEqualTo(4);
    List<String> names = st.at("/predicate/resources").findValuesAsText("name");
    // 10 bytes in pieces of 4, names in UTF-8 order ("8" > "4" > "0").
    assertThat(names)
        .contains("model.safetensors:0:4", "model.safetensors:4:8", "model.safetensors:8:10");
    assertThat(names).isSortedAccordingTo(dev.modelseal.manifest.ModelTree.UTF8_ORDER);
    assertThat(st.at("/predicate/resources/0/algorithm").asText()).isEqualTo("sha256");
    VerifiedModel v =
        new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build())
            .verify(m, m.resolve("model.sig"));
    assertThat(v.fileCount()).isEqualTo(4);
  }

  @Test
  void sign_emptyFolder_failsNothingToSign() throws Exception {
    Path m = Files.createDirectories(tmp.resolve("empty"));
    Files.createDirectories(m.resolve(".git"));
    Files.writeString(m.resolve(".git/config"), "x");
    SigningKey k = SigningKey.generate(Curve.P256);
    assertThatThrownBy(() -> ModelSigner.builder(k).build().sign(m, m.resolve("model.sig")))
        .isInstanceOf(SigningException.class)
        .extracting(e -> ((SigningException) e).rule())
        .isEqualTo(SigningException.NOTHING_TO_SIGN);
    assertThat(m.resolve("model.sig")).doesNotExist();
  }

  @Test
  void sign_resignInPlace_ignoresOldSignatureAndCompanion() throws Exception {
    Path m = model(tmp.resolve("m"));
    Files.writeString(m.resolve("model.sig.tensors"), "companion");
    SigningKey k = SigningKey.generate(Curve.P256);
    ModelSigner signer = ModelSigner.builder(k).build();
    signer.sign(m, m.resolve("model.sig"));
    SignedModel again = signer.sign(m, m.resolve("model.sig"));
    assertThat(again.manifest().resources())
        .extracting(ResourceDigest::name)
        .doesNotContain("model.sig", "model.sig.tensors");
    new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build())
        .verify(m, m.resolve("model.sig"));
  }

  @Test
  void sign_certificateMethod_verifiesAgainstRoot() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    Path m = model(tmp.resolve("m"));
    ModelSigner.builder(pki.leafKey())
        .certificate(pki.leaf(), List.of(pki.intermediate()))
        .build()
        .sign(m, m.resolve("model.sig"));
    JsonNode b = JSON.readTree(m.resolve("model.sig").toFile());
    assertThat(b.at("/verificationMaterial/x509CertificateChain/certificates")).hasSize(2);
    VerifiedModel v =
        new ModelVerifier(TrustPolicy.trustAnchors(List.of(pki.root())).build())
            .verify(m, m.resolve("model.sig"));
    assertThat(((CertificateSigner) v.signer()).subject()).isEqualTo("CN=model signer");
  }

  @Test
  void certificate_leafOfAnotherKey_isRejected() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    SigningKey other = SigningKey.generate(Curve.P256);
    assertThatThrownBy(() -> ModelSigner.builder(other).certificate(pki.leaf(), List.of()))
        .isInstanceOf(KeyException.class)
        .extracting(e -> ((KeyException) e).rule())
        .isEqualTo("cert.key-mismatch");
  }

  @Test
  void verify_fileGrownPastResourceLimit_failsWithNamedLimitRule() throws Exception {
    Path m = tmp.resolve("m");
    Files.createDirectories(m);
    Path f = m.resolve("w.bin");
    Files.write(f, new byte[] {1, 2, 3});
    SigningKey k = SigningKey.generate(Curve.P256);
    Path sig = tmp.resolve("m.sig");
    ModelSigner.builder(k).shardSize(1).build().sign(m, sig);
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(dev.modelseal.manifest.ModelHasher.MAX_RESOURCES + 1); // sparse: no data
    }
    assertThatThrownBy(
            () -> new ModelVerifier(TrustPolicy.publicKey(k.publicKey()).build()).verify(m, sig))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.rule()).isEqualTo("limit.max-resources"))
        .hasMessageContaining("above the limit of");
  }
}
