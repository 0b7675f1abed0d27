package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.format.ParseLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every verification rule, each reached by a minimal change. Statement changes are re-signed with
 * the vectors' P-384 key (see {@link OmsVectors#tamperKey}) so that only the targeted check fails.
 */
class OmsTamperTest {
  @TempDir Path tmp;

  private static SigningKey key;
  private Path model;
  private Path sig;
  private ModelVerifier verifier;

  @BeforeAll
  static void loadKey() throws Exception {
    key = OmsVectors.tamperKey();
  }

  @BeforeEach
  void signModel() throws Exception {
    model = OmsRoundTripTest.model(tmp.resolve("model"));
    sig = ModelSigner.builder(key).build().sign(model, tmp.resolve("model.sig")).signature();
    verifier = new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).build());
  }

  private VerificationException failure(ModelVerifier v, Path m, Path bundle) {
    return assertThrows(VerificationException.class, () -> v.verify(m, bundle));
  }

  private void assertRule(Path bundle, String rule) {
    VerificationException e = failure(verifier, model, bundle);
    assertThat(e.rule()).as(e.getMessage()).isEqualTo(rule);
    assertThat(e.getMessage()).startsWith("[" + rule + "]");
  }

  private Path resigned(BundleEditor.ThrowingConsumer<ObjectNode> edit) throws Exception {
    return BundleEditor.read(sig).statement(edit).resign(key).write(tmp.resolve("edited.sig"));
  }

  private Path edited(java.util.function.Consumer<ObjectNode> edit) throws Exception {
    return BundleEditor.read(sig).bundle(edit).write(tmp.resolve("edited.sig"));
  }

  private static ArrayNode resources(ObjectNode st) {
    return (ArrayNode) st.at("/predicate/resources");
  }

  private static ObjectNode serialization(ObjectNode st) {
    return (ObjectNode) st.at("/predicate/serialization");
  }

  /** Recomputes the subject digest so that a resource edit does not trip the root check. */
  private static void fixRoot(ObjectNode st) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (JsonNode r : resources(st)) {
      md.update(HexFormat.of().parseHex(r.get("digest").asText()));
    }
    ((ObjectNode) st.at("/subject/0/digest")).put("sha256", HexFormat.of().formatHex(md.digest()));
  }

  // ---- the model differs from the manifest ----

  @Test
  void verify_untampered_verifies() throws Exception {
    assertThat(verifier.verify(model, sig).manifest().resources()).hasSize(4);
  }

  @Test
  void verify_contentBitFlip_reportsChanged() throws Exception {
    byte[] b = Files.readAllBytes(model.resolve("model.safetensors"));
    b[3] ^= 0x01;
    Files.write(model.resolve("model.safetensors"), b);
    VerificationException e = failure(verifier, model, sig);
    assertThat(e.rule()).isEqualTo("oms.model-mismatch");
    assertThat(e.differences())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.kind()).isEqualTo(ModelDifference.Kind.CHANGED);
              assertThat(d.name()).isEqualTo("model.safetensors");
              assertThat(d.expected()).isPresent();
              assertThat(d.actual()).isPresent().isNotEqualTo(d.expected());
            });
  }

  @Test
  void verify_missingFile_reportsMissing() throws Exception {
    Files.delete(model.resolve("tokenizer/vocab.txt"));
    VerificationException e = failure(verifier, model, sig);
    assertThat(e.differences())
        .singleElement()
        .satisfies(d -> assertThat(d.kind()).isEqualTo(ModelDifference.Kind.MISSING))
        .satisfies(d -> assertThat(d.name()).isEqualTo("tokenizer/vocab.txt"));
  }

  @Test
  void verify_extraFile_reportsExtra() throws Exception {
    Files.writeString(model.resolve("tokenizer/merges.txt"), "smuggled");
    VerificationException e = failure(verifier, model, sig);
    assertThat(e.differences())
        .singleElement()
        .satisfies(d -> assertThat(d.kind()).isEqualTo(ModelDifference.Kind.EXTRA))
        .satisfies(d -> assertThat(d.name()).isEqualTo("tokenizer/merges.txt"));
  }

  @Test
  void verify_severalDifferences_reportsEveryOneOnItsOwnLine() throws Exception {
    Files.writeString(model.resolve("config.json"), "{\"a\":2}");
    Files.delete(model.resolve("tokenizer.json"));
    Files.writeString(model.resolve("extra.bin"), "x");
    VerificationException e = failure(verifier, model, sig);
    assertThat(e.differences())
        .extracting(d -> d.kind() + " " + d.name())
        .containsExactly("CHANGED config.json", "EXTRA extra.bin", "MISSING tokenizer.json");
    assertThat(e.getMessage().split("\n"))
        .hasSize(3)
        .allMatch(l -> l.startsWith("[oms.model-mismatch] "));
  }

  @Test
  void verify_extraFileWithIgnoreUnsignedFiles_verifies() throws Exception {
    Files.writeString(model.resolve("README.md"), "unsigned");
    ModelVerifier lenient =
        new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).ignoreUnsignedFiles().build());
    assertThat(lenient.verify(model, sig).fileCount()).isEqualTo(4);
  }

  @Test
  void verify_missingFileWithIgnoreUnsignedFiles_stillReportsMissing() throws Exception {
    Files.delete(model.resolve("config.json"));
    ModelVerifier lenient =
        new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).ignoreUnsignedFiles().build());
    assertThat(failure(lenient, model, sig).differences())
        .extracting(ModelDifference::name)
        .containsExactly("config.json");
  }

  @Test
  void verify_userIgnorePath_hidesExtraFile() throws Exception {
    Files.createDirectories(model.resolve("logs"));
    Files.writeString(model.resolve("logs/run.txt"), "log");
    ModelVerifier v =
        new ModelVerifier(
            TrustPolicy.publicKey(key.publicKey()).ignorePaths(List.of("logs")).build());
    v.verify(model, sig);
  }

  @Test
  void verify_bundleInsideModel_isIgnored() throws Exception {
    Path inside =
        ModelSigner.builder(key).build().sign(model, model.resolve("model.sig")).signature();
    verifier.verify(model, inside);
  }

  // ---- key material ----

  @Test
  void verify_otherPublicKey_failsKeyMismatch() throws Exception {
    ModelVerifier other =
        new ModelVerifier(
            TrustPolicy.publicKey(SigningKey.generate(Curve.P384).publicKey()).build());
    assertThat(failure(other, model, sig).rule()).isEqualTo("oms.key-mismatch");
  }

  @Test
  void verify_hintOfVerifierButSignedByOtherKey_failsSignatureInvalid() throws Exception {
    SigningKey attacker = SigningKey.generate(Curve.P384);
    Path b =
        BundleEditor.read(sig)
            .bundle(
                j ->
                    ((ObjectNode) j.at("/verificationMaterial/publicKey"))
                        .put("hint", KeyFiles.keyHint(key.publicKey())))
            .resign(attacker)
            .write(tmp.resolve("x.sig"));
    assertRule(b, "oms.signature-invalid");
  }

  @Test
  void verify_rawBytesOfSameKey_verifiesLikeOldBundles() throws Exception {
    Path b =
        edited(
            j -> {
              ObjectNode pk = (ObjectNode) j.at("/verificationMaterial/publicKey");
              pk.remove("hint");
              pk.put(
                  "rawBytes",
                  Base64.getEncoder()
                      .encodeToString(
                          KeyFiles.publicKeyPem(key.publicKey())
                              .getBytes(StandardCharsets.US_ASCII)));
              pk.put("keyDetails", key.curve().keyDetails());
            });
    verifier.verify(model, b);
  }

  @Test
  void verify_rawBytesOfOtherKey_failsKeyMismatch() throws Exception {
    SigningKey other = SigningKey.generate(Curve.P384);
    Path b =
        edited(
            j -> {
              ObjectNode pk = (ObjectNode) j.at("/verificationMaterial/publicKey");
              pk.remove("hint");
              pk.put(
                  "rawBytes",
                  Base64.getEncoder()
                      .encodeToString(
                          KeyFiles.publicKeyPem(other.publicKey())
                              .getBytes(StandardCharsets.US_ASCII)));
            });
    assertRule(b, "oms.key-mismatch");
  }

  @Test
  void verify_publicKeyWithoutHintOrRawBytes_failsMalformed() throws Exception {
    assertRule(
        edited(j -> ((ObjectNode) j.at("/verificationMaterial/publicKey")).remove("hint")),
        "oms.bundle-malformed");
  }

  // ---- the signature ----

  @Test
  void verify_signatureBitFlip_failsSignatureInvalid() throws Exception {
    Path b =
        edited(
            j -> {
              ObjectNode s = (ObjectNode) j.at("/dsseEnvelope/signatures/0");
              byte[] raw = Base64.getDecoder().decode(s.get("sig").asText());
              raw[raw.length - 1] ^= 0x01;
              s.put("sig", Base64.getEncoder().encodeToString(raw));
            });
    assertRule(b, "oms.signature-invalid");
  }

  @Test
  void verify_payloadChangedWithoutResigning_failsSignatureInvalid() throws Exception {
    Path b =
        BundleEditor.read(sig)
            .statement(st -> ((ObjectNode) st.at("/subject/0")).put("name", "renamed"))
            .write(tmp.resolve("x.sig"));
    assertRule(b, "oms.signature-invalid");
  }

  @Test
  void verify_payloadReserializedWithoutResigning_failsSignatureInvalid() throws Exception {
    // Same JSON, different bytes: the signature covers bytes, never a re-serialization.
    Path b = BundleEditor.read(sig).statement(st -> {}).write(tmp.resolve("x.sig"));
    assertRule(b, "oms.signature-invalid");
  }

  @Test
  void verify_twoSignatures_failsSignatureCount() throws Exception {
    assertRule(
        edited(
            j ->
                ((ArrayNode) j.at("/dsseEnvelope/signatures"))
                    .add(j.at("/dsseEnvelope/signatures/0").deepCopy())),
        "oms.signature-count");
  }

  @Test
  void verify_noSignature_failsSignatureCount() throws Exception {
    assertRule(
        edited(j -> ((ArrayNode) j.at("/dsseEnvelope/signatures")).removeAll()),
        "oms.signature-count");
  }

  @ParameterizedTest
  @ValueSource(strings = {"absent", "null", "empty", "text"})
  void verify_keyidVariants_verify(String variant) throws Exception {
    Path b =
        edited(
            j -> {
              ObjectNode s = (ObjectNode) j.at("/dsseEnvelope/signatures/0");
              switch (variant) {
                case "absent" -> s.remove("keyid");
                case "null" -> s.putNull("keyid");
                case "empty" -> s.put("keyid", "");
                default -> s.put("keyid", "some-key");
              }
            });
    verifier.verify(model, b);
  }

  @Test
  void verify_keyidNumber_failsMalformed() throws Exception {
    assertRule(
        edited(j -> ((ObjectNode) j.at("/dsseEnvelope/signatures/0")).put("keyid", 7)),
        "oms.bundle-malformed");
  }

  // ---- bundle structure ----

  @Test
  void verify_wrongMediaType_failsMediaType() throws Exception {
    assertRule(
        edited(j -> j.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.2+json")),
        "oms.media-type");
  }

  @Test
  void verify_alternativeMediaTypeSpelling_verifies() throws Exception {
    verifier.verify(model, edited(j -> j.put("mediaType", Bundle.MEDIA_TYPE_ALT)));
  }

  @Test
  void verify_wrongPayloadTypeResigned_failsPayloadType() throws Exception {
    Path b =
        BundleEditor.read(sig)
            .bundle(
                j -> ((ObjectNode) j.get("dsseEnvelope")).put("payloadType", "application/json"))
            .resign(key)
            .write(tmp.resolve("x.sig"));
    assertRule(b, "oms.payload-type");
  }

  @Test
  void verify_unknownTopLevelProperty_failsMalformed() throws Exception {
    assertRule(edited(j -> j.put("extension", "ours")), "oms.bundle-malformed");
  }

  @Test
  void verify_unknownEnvelopeProperty_failsMalformed() throws Exception {
    assertRule(
        edited(j -> ((ObjectNode) j.get("dsseEnvelope")).put("x", 1)), "oms.bundle-malformed");
  }

  @Test
  void verify_duplicateKeyInBundle_failsMalformed() throws Exception {
    String text = Files.readString(sig);
    Files.writeString(tmp.resolve("dup.sig"), text.replaceFirst("\\{", "{\"mediaType\": \"x\", "));
    assertRule(tmp.resolve("dup.sig"), "oms.bundle-malformed");
  }

  @Test
  void verify_notJson_failsMalformed() throws Exception {
    Files.writeString(tmp.resolve("x.sig"), "not json");
    assertRule(tmp.resolve("x.sig"), "oms.bundle-malformed");
    Files.writeString(tmp.resolve("x.sig"), "[1,2]");
    assertRule(tmp.resolve("x.sig"), "oms.bundle-malformed");
    Files.writeString(tmp.resolve("x.sig"), Files.readString(sig) + "{}");
    assertRule(tmp.resolve("x.sig"), "oms.bundle-malformed");
  }

  @Test
  void verify_payloadNotBase64_failsMalformed() throws Exception {
    assertRule(
        edited(j -> ((ObjectNode) j.get("dsseEnvelope")).put("payload", "%%%")),
        "oms.bundle-malformed");
  }

  @Test
  void verify_deeplyNestedJson_failsMalformed() throws Exception {
    Files.writeString(tmp.resolve("x.sig"), "[".repeat(100_000));
    assertRule(tmp.resolve("x.sig"), "oms.bundle-malformed");
  }

  @Test
  void verify_bundleLargerThanLimit_failsLimit() throws Exception {
    ModelVerifier small =
        new ModelVerifier(
            TrustPolicy.publicKey(key.publicKey())
                .limits(ParseLimits.builder().maxBundleBytes(100).build())
                .build());
    assertThat(failure(small, model, sig).rule()).isEqualTo("limit.max-bundle-bytes");
  }

  @Test
  void verify_missingBundleFile_failsIoError() {
    VerificationException e = failure(verifier, model, tmp.resolve("nope.sig"));
    assertThat(e.rule()).isEqualTo(VerificationException.IO_ERROR);
    assertThat(e.getCause()).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void verify_transparencyEntriesInKeyBundle_failsTlogUnsupported() throws Exception {
    assertRule(
        edited(
            j ->
                ((ArrayNode) j.at("/verificationMaterial/tlogEntries"))
                    .addObject()
                    .put("logIndex", "1")),
        "oms.tlog-unsupported");
  }

  @Test
  void verify_tlogEntriesAbsent_verifies() throws Exception {
    verifier.verify(
        model, edited(j -> ((ObjectNode) j.get("verificationMaterial")).remove("tlogEntries")));
  }

  // ---- method and material ----

  @Test
  void verify_keyBundleWithTrustAnchors_failsMethodMismatch() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    ModelVerifier v = new ModelVerifier(TrustPolicy.trustAnchors(List.of(pki.root())).build());
    assertThat(failure(v, model, sig).rule()).isEqualTo("oms.method-mismatch");
  }

  @Test
  void verify_keyBundleAsKeyless_failsMethodMismatch() {
    ModelVerifier v = new ModelVerifier(TrustPolicy.sigstore().build());
    assertThat(failure(v, model, sig).rule()).isEqualTo("oms.method-mismatch");
  }

  @Test
  void verify_certificateBundleWithPublicKey_failsMethodMismatch() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    Path b =
        ModelSigner.builder(pki.leafKey())
            .certificate(pki.leaf(), List.of(pki.intermediate()))
            .build()
            .sign(model, tmp.resolve("cert.sig"))
            .signature();
    ModelVerifier v = new ModelVerifier(TrustPolicy.publicKey(pki.leafKey().publicKey()).build());
    assertThat(failure(v, model, b).rule()).isEqualTo("oms.method-mismatch");
  }

  @Test
  void verify_twoKindsOfMaterial_failsMalformed() throws Exception {
    assertRule(
        edited(
            j ->
                ((ObjectNode) j.get("verificationMaterial"))
                    .putObject("certificate")
                    .put("rawBytes", "MA==")),
        "oms.bundle-malformed");
  }

  // ---- the statement ----

  @Test
  void verify_wrongStatementType_failsStatementType() throws Exception {
    assertRule(
        resigned(st -> st.put("_type", "https://in-toto.io/Statement/v0.1")), "oms.statement-type");
  }

  @Test
  void verify_wrongPredicateType_failsPredicateType() throws Exception {
    assertRule(
        resigned(st -> st.put("predicateType", "https://example.com/wrong-predicate/v1.0")),
        "oms.predicate-type");
  }

  @Test
  void verify_twoSubjects_failsSubjectCount() throws Exception {
    assertRule(
        resigned(st -> ((ArrayNode) st.get("subject")).add(st.at("/subject/0").deepCopy())),
        "oms.subject-count");
  }

  @Test
  void verify_noSubject_failsSubjectCount() throws Exception {
    assertRule(resigned(st -> ((ArrayNode) st.get("subject")).removeAll()), "oms.subject-count");
  }

  @Test
  void verify_subjectDigestNotOfResources_failsRootDigestMismatch() throws Exception {
    assertRule(
        resigned(st -> ((ObjectNode) st.at("/subject/0/digest")).put("sha256", "00".repeat(32))),
        "oms.root-digest-mismatch");
  }

  @Test
  void verify_resourcesReordered_verifies() throws Exception {
    // Other orders are accepted; the root digest is recomputed in payload order.
    Path b =
        resigned(
            st -> {
              ArrayNode r = resources(st);
              JsonNode first = r.remove(0);
              r.add(first);
              fixRoot(st);
            });
    verifier.verify(model, b);
  }

  @Test
  void verify_emptyResources_failsResourcesEmpty() throws Exception {
    assertRule(
        resigned(
            st -> {
              resources(st).removeAll();
              fixRoot(st);
            }),
        "oms.resources-empty");
  }

  @Test
  void verify_duplicateResource_failsResourceDuplicate() throws Exception {
    assertRule(
        resigned(
            st -> {
              resources(st).add(resources(st).get(0).deepCopy());
              fixRoot(st);
            }),
        "oms.resource-duplicate");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../outside.bin",
        "/etc/passwd",
        "a//b",
        "./config.json",
        "tokenizer\\vocab.txt",
        "tokenizer/",
        "",
        "a/./b",
        "a/../config.json"
      })
  void verify_nonCanonicalResourceName_failsResourceNameInvalid(String name) throws Exception {
    assertRule(
        resigned(
            st -> {
              ((ObjectNode) resources(st).get(0)).put("name", name);
              fixRoot(st);
            }),
        "oms.resource-name-invalid");
  }

  @Test
  void verify_dotResourceInFolderModel_failsResourceNameInvalid() throws Exception {
    assertRule(
        resigned(st -> ((ObjectNode) resources(st).get(0)).put("name", ".")),
        "oms.resource-name-invalid");
  }

  @Test
  void verify_nameEscapingRootWithIgnoreUnsignedFiles_failsResourceNameInvalid() throws Exception {
    Files.writeString(tmp.resolve("outside.bin"), "secret");
    Path b =
        resigned(
            st -> {
              ((ObjectNode) resources(st).get(0)).put("name", "../outside.bin");
              fixRoot(st);
            });
    ModelVerifier lenient =
        new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).ignoreUnsignedFiles().build());
    assertThat(failure(lenient, model, b).rule()).isEqualTo("oms.resource-name-invalid");
  }

  @Test
  void verify_duplicateKeyInStatement_failsStatementMalformed() throws Exception {
    String payload = new String(BundleEditor.read(sig).payload(), StandardCharsets.UTF_8);
    String dup = payload.replaceFirst("\\{", "{\"predicateType\": \"x\", ");
    assertRule(
        BundleEditor.read(sig).payload(dup).resign(key).write(tmp.resolve("x.sig")),
        "oms.statement-malformed");
  }

  @Test
  void verify_unknownPredicateProperty_failsStatementMalformed() throws Exception {
    assertRule(
        resigned(st -> ((ObjectNode) st.get("predicate")).put("ours", true)),
        "oms.statement-malformed");
  }

  @Test
  void verify_unsupportedHashType_failsHashUnsupported() throws Exception {
    assertRule(
        resigned(st -> serialization(st).put("hash_type", "blake3")), "oms.hash-unsupported");
  }

  @Test
  void verify_unknownMethod_failsSerializationUnsupported() throws Exception {
    assertRule(
        resigned(st -> serialization(st).put("method", "tensors")),
        "oms.serialization-unsupported");
  }

  @Test
  void verify_resourceAlgorithmNotHashType_failsResourceAlgorithm() throws Exception {
    assertRule(
        resigned(st -> ((ObjectNode) resources(st).get(0)).put("algorithm", "sha512")),
        "oms.resource-algorithm");
  }

  @Test
  void verify_upperCaseDigest_failsDigestInvalid() throws Exception {
    assertRule(
        resigned(
            st -> {
              ObjectNode r = (ObjectNode) resources(st).get(0);
              r.put("digest", r.get("digest").asText().toUpperCase(java.util.Locale.ROOT));
            }),
        "oms.digest-invalid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../elsewhere", "*.bin", "/abs", "a/../b", "."})
  void verify_badSignedIgnorePath_failsIgnorePathInvalid(String p) throws Exception {
    assertRule(
        resigned(st -> ((ArrayNode) serialization(st).get("ignore_paths")).add(p)),
        "oms.ignore-path-invalid");
  }

  @Test
  void verify_signedIgnorePath_isApplied() throws Exception {
    Files.writeString(model.resolve("notes.txt"), "unsigned");
    verifier.verify(
        model,
        resigned(st -> ((ArrayNode) serialization(st).get("ignore_paths")).add("notes.txt")));
  }

  @Test
  void verify_allowSymlinksRecordedButNotAllowed_failsSymlinksNotAllowed() throws Exception {
    assertRule(
        resigned(st -> serialization(st).put("allow_symlinks", true)), "oms.symlinks-not-allowed");
  }

  @Test
  void verify_shardSizeInFilesMethod_failsStatementMalformed() throws Exception {
    assertRule(resigned(st -> serialization(st).put("shard_size", 8)), "oms.statement-malformed");
  }

  @Test
  void verify_allowSymlinksNotBoolean_failsStatementMalformed() throws Exception {
    assertRule(
        resigned(st -> serialization(st).put("allow_symlinks", "false")),
        "oms.statement-malformed");
  }

  // ---- shards ----

  private Path shardSigned() throws Exception {
    return ModelSigner.builder(key)
        .shardSize(4)
        .build()
        .sign(model, tmp.resolve("shards.sig"))
        .signature();
  }

  @Test
  void verify_pythonStyleShards_verify() throws Exception {
    // model-transparency writes shard_size as a float and algorithm sha256-sharded-<size>.
    Path b =
        BundleEditor.read(shardSigned())
            .statement(
                st -> {
                  serialization(st).put("shard_size", 4.0);
                  for (JsonNode r : resources(st)) {
                    ((ObjectNode) r).put("algorithm", "sha256-sharded-4");
                  }
                })
            .resign(key)
            .write(tmp.resolve("py.sig"));
    verifier.verify(model, b);
  }

  @Test
  void verify_fractionalShardSize_failsStatementMalformed() throws Exception {
    Path b =
        BundleEditor.read(shardSigned())
            .statement(st -> serialization(st).put("shard_size", 4.5))
            .resign(key)
            .write(tmp.resolve("x.sig"));
    assertRule(b, "oms.statement-malformed");
  }

  @Test
  void verify_shardAlgorithmOfOtherSize_failsResourceAlgorithm() throws Exception {
    Path b =
        BundleEditor.read(shardSigned())
            .statement(
                st -> ((ObjectNode) resources(st).get(0)).put("algorithm", "sha256-sharded-8"))
            .resign(key)
            .write(tmp.resolve("x.sig"));
    assertRule(b, "oms.resource-algorithm");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "config.json",
        "config.json:1:4",
        "config.json:0:5",
        "config.json:4:4",
        "config.json:00:4",
        "config.json:-0:4",
        ":0:4"
      })
  void verify_shardNameNotAPiece_failsResourceNameInvalid(String name) throws Exception {
    Path b =
        BundleEditor.read(shardSigned())
            .statement(
                st -> {
                  ((ObjectNode) resources(st).get(0)).put("name", name);
                  fixRoot(st);
                })
            .resign(key)
            .write(tmp.resolve("x.sig"));
    assertRule(b, "oms.resource-name-invalid");
  }

  @Test
  void verify_shardsAppendedBytesWithIgnoreUnsignedFiles_reportsNewPiece() throws Exception {
    Path b = shardSigned();
    Files.write(
        model.resolve("model.safetensors"),
        new byte[] {11, 12, 13},
        java.nio.file.StandardOpenOption.APPEND);
    ModelVerifier lenient =
        new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).ignoreUnsignedFiles().build());
    VerificationException e = failure(lenient, model, b);
    assertThat(e.differences())
        .extracting(d -> d.kind() + " " + d.name())
        .containsExactly(
            "MISSING model.safetensors:8:10",
            "EXTRA model.safetensors:8:12",
            "EXTRA model.safetensors:12:13");
  }

  @Test
  void verify_shardsTruncatedFile_reportsMissingPieces() throws Exception {
    Path b = shardSigned();
    Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 3, 4});
    assertThat(failure(verifier, model, b).differences())
        .extracting(d -> d.kind() + " " + d.name())
        .containsExactly("MISSING model.safetensors:4:8", "MISSING model.safetensors:8:10");
  }

  // ---- single file ----

  @Test
  void verify_singleFileNamedDot_verifiesLikeModelTransparency() throws Exception {
    Path f = model.resolve("model.safetensors");
    Path one = ModelSigner.builder(key).build().sign(f, tmp.resolve("one.sig")).signature();
    Path b =
        BundleEditor.read(one)
            .statement(st -> ((ObjectNode) resources(st).get(0)).put("name", "."))
            .resign(key)
            .write(tmp.resolve("dot.sig"));
    VerifiedModel v = verifier.verify(f, b);
    assertThat(v.manifest().resources().get(0).name()).isEqualTo("model.safetensors");
  }

  @Test
  void verify_singleFileWithBothDotAndName_failsResourceDuplicate() throws Exception {
    Path f = model.resolve("model.safetensors");
    Path one = ModelSigner.builder(key).build().sign(f, tmp.resolve("one.sig")).signature();
    Path b =
        BundleEditor.read(one)
            .statement(
                st -> {
                  ObjectNode dot = resources(st).get(0).deepCopy();
                  dot.put("name", ".");
                  resources(st).add(dot);
                  fixRoot(st);
                })
            .resign(key)
            .write(tmp.resolve("dot.sig"));
    assertRule2(f, b, "oms.resource-duplicate");
  }

  private void assertRule2(Path m, Path b, String rule) {
    assertThat(failure(verifier, m, b).rule()).isEqualTo(rule);
  }

  // ---- certificate method ----

  private Path certSigned(TestPki pki) throws Exception {
    return ModelSigner.builder(pki.leafKey())
        .certificate(pki.leaf(), List.of(pki.intermediate()))
        .build()
        .sign(model, tmp.resolve("cert.sig"))
        .signature();
  }

  private static ModelVerifier anchoredAt(X509Certificate... anchors) {
    return new ModelVerifier(TrustPolicy.trustAnchors(List.of(anchors)).build());
  }

  @Test
  void verify_certificateOfOtherCa_failsCertChainInvalid() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    TestPki other = TestPki.createWithOwnCa(Curve.P256);
    assertThat(failure(anchoredAt(other.root()), model, certSigned(pki)).rule())
        .isEqualTo("oms.cert-chain-invalid");
  }

  @Test
  void verify_chainWithoutIntermediate_failsCertChainInvalid() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    Path b =
        ModelSigner.builder(pki.leafKey())
            .certificate(pki.leaf(), List.of())
            .build()
            .sign(model, tmp.resolve("c.sig"))
            .signature();
    assertThat(failure(anchoredAt(pki.root()), model, b).rule())
        .isEqualTo("oms.cert-chain-invalid");
  }

  @Test
  void verify_chainIncludingRoot_verifies() throws Exception {
    TestPki pki = TestPki.create(Curve.P384);
    Path b =
        ModelSigner.builder(pki.leafKey())
            .certificate(pki.leaf(), List.of(pki.intermediate(), pki.root()))
            .build()
            .sign(model, tmp.resolve("c.sig"))
            .signature();
    anchoredAt(pki.root()).verify(model, b);
  }

  @Test
  void verify_intermediateAsAnchor_verifies() throws Exception {
    TestPki pki = TestPki.create(Curve.P521);
    anchoredAt(pki.intermediate()).verify(model, certSigned(pki));
  }

  @Test
  void verify_expiredLeaf_failsCertExpired() throws Exception {
    Instant now = Instant.now();
    TestPki pki =
        TestPki.create(
            Curve.P256,
            new TestPki.LeafSpec(
                now.minus(Duration.ofDays(10)),
                now.minus(Duration.ofDays(1)),
                KeyUsage.digitalSignature,
                KeyPurposeId.id_kp_codeSigning));
    assertThat(failure(anchoredAt(pki.root()), model, certSigned(pki)).rule())
        .isEqualTo("oms.cert-expired");
  }

  @Test
  void verify_leafNotYetValid_failsCertExpired() throws Exception {
    Instant now = Instant.now();
    TestPki pki =
        TestPki.create(
            Curve.P256,
            new TestPki.LeafSpec(
                now.plus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(10)),
                KeyUsage.digitalSignature,
                KeyPurposeId.id_kp_codeSigning));
    assertThat(failure(anchoredAt(pki.root()), model, certSigned(pki)).rule())
        .isEqualTo("oms.cert-expired");
  }

  @Test
  void verify_leafWithoutDigitalSignature_failsCertKeyUsage() throws Exception {
    Instant now = Instant.now();
    TestPki pki =
        TestPki.create(
            Curve.P256,
            new TestPki.LeafSpec(
                now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(10)),
                KeyUsage.keyEncipherment,
                KeyPurposeId.id_kp_codeSigning));
    assertThat(failure(anchoredAt(pki.root()), model, certSigned(pki)).rule())
        .isEqualTo("oms.cert-key-usage");
  }

  @Test
  void verify_leafWithoutCodeSigning_failsCertKeyUsage() throws Exception {
    Instant now = Instant.now();
    TestPki pki =
        TestPki.create(
            Curve.P256,
            new TestPki.LeafSpec(
                now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(10)),
                KeyUsage.digitalSignature,
                KeyPurposeId.id_kp_serverAuth));
    assertThat(failure(anchoredAt(pki.root()), model, certSigned(pki)).rule())
        .isEqualTo("oms.cert-key-usage");
  }

  @Test
  void verify_leafWithoutUsageExtensions_verifies() throws Exception {
    Instant now = Instant.now();
    TestPki pki =
        TestPki.create(
            Curve.P256,
            new TestPki.LeafSpec(
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)), null, null));
    anchoredAt(pki.root()).verify(model, certSigned(pki));
  }

  @Test
  void verify_certificateNotDer_failsMalformed() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    Path b =
        BundleEditor.read(certSigned(pki))
            .bundle(
                j ->
                    ((ObjectNode) j.at("/verificationMaterial/x509CertificateChain/certificates/0"))
                        .put("rawBytes", "MIIBAAAA"))
            .write(tmp.resolve("x.sig"));
    assertThat(failure(anchoredAt(pki.root()), model, b).rule()).isEqualTo("oms.bundle-malformed");
  }

  @Test
  void verify_rsaLeaf_failsKeyUnsupported() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    String rsaLeaf = Base64.getEncoder().encodeToString(pki.rsaLeaf().getEncoded());
    // The chain validates, but an RSA key cannot make an OMS signature.
    Path b =
        BundleEditor.read(certSigned(pki))
            .bundle(
                j ->
                    ((ObjectNode) j.at("/verificationMaterial/x509CertificateChain/certificates/0"))
                        .put("rawBytes", rsaLeaf))
            .write(tmp.resolve("x.sig"));
    assertThat(failure(anchoredAt(pki.root()), model, b).rule()).isEqualTo("oms.key-unsupported");
  }

  // ---- legacy and keyless vectors ----

  @Test
  void verify_legacyBundleWithMissingAndExtraFiles_reportsBoth() throws Exception {
    Path dir = OmsVectors.mt("v0.2.0-certificate");
    Path m = OmsVectors.copyFiles(dir, tmp.resolve("legacy"), List.of("signme-1"));
    Files.writeString(m.resolve("signme-3"), "new");
    ModelVerifier v =
        new ModelVerifier(
            TrustPolicy.trustAnchors(KeyFiles.readCertificates(OmsVectors.keys("ca-cert.pem")))
                .build());
    assertThat(failure(v, m, dir.resolve("model.sig")).differences())
        .extracting(d -> d.kind() + " " + d.name())
        .containsExactly("MISSING signme-2", "EXTRA signme-3");
  }

  @Test
  void verify_keylessSignatureBitFlip_failsSignatureInvalid() throws Exception {
    Path dir = OmsVectors.mt("v1.1.0-sigstore");
    Path b =
        BundleEditor.read(dir.resolve("model.sig"))
            .bundle(
                j -> {
                  ObjectNode s = (ObjectNode) j.at("/dsseEnvelope/signatures/0");
                  byte[] raw = Base64.getDecoder().decode(s.get("sig").asText());
                  raw[10] ^= 0x01;
                  s.put("sig", Base64.getEncoder().encodeToString(raw));
                })
            .write(tmp.resolve("k.sig"));
    ModelVerifier v = new ModelVerifier(TrustPolicy.sigstore().build());
    assertThat(failure(v, dir, b).rule()).isEqualTo("oms.signature-invalid");
  }

  // ---- keyless and legacy, built from our own bundles (no vectors needed) ----

  /** Our certificate bundle recast as keyless: the leaf as {@code certificate}, given entries. */
  private Path keyless(TestPki pki, int tlogEntries) throws Exception {
    String leaf = Base64.getEncoder().encodeToString(pki.leaf().getEncoded());
    return BundleEditor.read(certSigned(pki))
        .bundle(
            j -> {
              ObjectNode vm = (ObjectNode) j.get("verificationMaterial");
              vm.remove("x509CertificateChain");
              vm.putObject("certificate").put("rawBytes", leaf);
              ArrayNode entries = vm.putArray("tlogEntries");
              for (int i = 0; i < tlogEntries; i++) {
                entries.addObject().put("logIndex", String.valueOf(i));
              }
            })
        .write(tmp.resolve("keyless.sig"));
  }

  @Test
  void verify_keylessBundle_checksSignatureAndModelThenRefuses() throws Exception {
    TestPki pki = TestPki.create(Curve.P256);
    ModelVerifier v = new ModelVerifier(TrustPolicy.sigstore().build());
    Path b = keyless(pki, 1);
    assertThat(failure(v, model, b).rule()).isEqualTo("oms.keyless-trust-not-configured");
    Files.writeString(model.resolve("config.json"), "tampered");
    assertThat(failure(v, model, b).rule()).isEqualTo("oms.model-mismatch");
  }

  @Test
  void verify_keylessWithoutTlogEntries_failsTlogEntriesMissing() throws Exception {
    ModelVerifier v = new ModelVerifier(TrustPolicy.sigstore().build());
    assertThat(failure(v, model, keyless(TestPki.create(Curve.P256), 0)).rule())
        .isEqualTo("oms.tlog-entries-missing");
  }

  /** The v0.2 layout: one subject per file, annotated, no serialization object. */
  private static void toLegacyLayout(ObjectNode st) {
    ArrayNode subjects = st.putArray("subject");
    for (JsonNode r : resources(st)) {
      ObjectNode s = subjects.addObject();
      s.put("name", r.get("name").asText());
      s.putObject("digest").put("sha256", r.get("digest").asText());
      s.putObject("annotations").put("actual_hash_algorithm", "file-sha256");
    }
    st.put("predicateType", SignedStatement.LEGACY_PREDICATE_TYPE);
    st.putObject("predicate").put("unused", "Unused, just passed due to API requirements");
  }

  @Test
  void verify_legacyLayoutWithLegacyPae_verifiesAsLegacyFormat() throws Exception {
    BundleEditor e = BundleEditor.read(sig).statement(OmsTamperTest::toLegacyLayout);
    // model-transparency 0.2 signed "DSSEV1 ... b'<payload>'" with SHA-256 whatever the curve.
    byte[] legacySig = Ecdsa.sign(key.privateKey(), "SHA256withECDSA", Dsse.legacyPae(e.payload()));
    Path b =
        e.bundle(
                j ->
                    ((ObjectNode) j.at("/dsseEnvelope/signatures/0"))
                        .put("sig", Base64.getEncoder().encodeToString(legacySig)))
            .write(tmp.resolve("legacy.sig"));
    VerifiedModel v = verifier.verify(model, b);
    assertThat(v.legacyFormat()).isTrue();
    Files.delete(model.resolve("config.json"));
    assertThat(failure(verifier, model, b).differences())
        .extracting(d -> d.kind() + " " + d.name())
        .containsExactly("MISSING config.json");
  }

  @Test
  void verify_legacyShardedSubjects_failSerializationUnsupported() throws Exception {
    assertRule(
        resigned(
            st -> {
              toLegacyLayout(st);
              ((ObjectNode) st.at("/subject/0/annotations"))
                  .put("actual_hash_algorithm", "file-sha256-1000000");
            }),
        "oms.serialization-unsupported");
  }

  @Test
  void verify_legacyLayoutWithoutSubjects_failsResourcesEmpty() throws Exception {
    assertRule(
        resigned(
            st -> {
              toLegacyLayout(st);
              ((ArrayNode) st.get("subject")).removeAll();
            }),
        "oms.resources-empty");
  }
}
