package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.digest.Digest;
import dev.modelseal.digest.TensorDigests;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.SafetensorsWriter;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import dev.modelseal.tensor.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorAttestationTest {
  @TempDir Path tmp;

  private static final ObjectMapper JSON = new ObjectMapper();
  private SigningKey key;
  private Path model;
  private Path sig;

  @BeforeEach
  void signModel() throws Exception {
    key = SigningKey.generate(Curve.P256);
    model = Files.createDirectory(tmp.resolve("m"));
    SafetensorsWriter.mlx()
        .f32("w", new long[] {4}, 1f, 2f, 3f, 4f)
        .f32("u", new long[] {2}, 5f, 6f)
        .write(model.resolve("a.safetensors"));
    Files.writeString(model.resolve("config.json"), "{}");
    ModelSigner.builder(key).build().sign(model, model.resolve("model.sig"));
    sig = model.resolve("model.sig");
  }

  private JsonNode payload(Path bundle) throws Exception {
    JsonNode b = JSON.readTree(bundle.toFile());
    return JSON.readTree(Base64.getDecoder().decode(b.get("dsseEnvelope").get("payload").asText()));
  }

  private VerificationException verifyFails() {
    return catchThrowableOfType(
        VerificationException.class,
        () -> new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).build()).verify(model, sig));
  }

  /** Changes the third float of tensor w (data starts right after the header). */
  private void flipW() throws Exception {
    Path f = model.resolve("a.safetensors");
    byte[] bytes = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    try (WeightFile wf = WeightFiles.open(f, ParseLimits.defaults()).orElseThrow()) {
      TensorInfo w =
          wf.tensors().stream().filter(t -> t.name().equals("w")).findFirst().orElseThrow();
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat((int) w.offset() + 8, 9f);
    }
    assertThat(n).isPositive();
    Files.write(f, bytes);
  }

  @Test
  void sign_weightModel_companionSignedWithSameSubjectAndEveryCtd1() throws Exception {
    Path companion = ModelSigner.companionOf(sig);
    assertThat(companion).exists();
    JsonNode oms = payload(sig);
    JsonNode att = payload(companion);
    assertThat(att.get("predicateType").asText()).isEqualTo(TensorAttestation.PREDICATE_TYPE);
    assertThat(att.get("subject")).isEqualTo(oms.get("subject"));
    assertThat(oms.toString()).doesNotContain("modelseal.dev");
    assertThat(oms.get("predicate").get("serialization").get("ignore_paths").toString())
        .contains("model.sig.tensors");
    JsonNode file = att.get("predicate").get("files").get(0);
    assertThat(file.get("path").asText()).isEqualTo("a.safetensors");
    try (WeightFile wf =
        WeightFiles.open(model.resolve("a.safetensors"), ParseLimits.defaults()).orElseThrow()) {
      for (JsonNode t : file.get("tensors")) {
        TensorInfo info =
            wf.tensors().stream()
                .filter(x -> x.name().equals(t.get("name").asText()))
                .findFirst()
                .orElseThrow();
        assertThat(t.get("ctd1").asText()).isEqualTo(TensorDigests.ctd1(wf, info).hex());
      }
    }
    new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).build()).verify(model, sig);
  }

  @Test
  void verify_oneFloatFlipped_failsAndNamesTheTensor() throws Exception {
    flipW();
    VerificationException e = verifyFails();
    assertThat(e.rule()).isEqualTo(VerificationException.MODEL_MISMATCH);
    assertThat(e.tensorLines())
        .containsExactly(
            "changed tensor: w in a.safetensors", "a.safetensors: 1 of 2 signed tensors intact");
    assertThat(e.getMessage()).contains("changed: a.safetensors");
  }

  @Test
  void verify_companionTamperedWithoutResigning_saysInvalidAndStillFails() throws Exception {
    flipW();
    Path companion = ModelSigner.companionOf(sig);
    ObjectNode b = (ObjectNode) JSON.readTree(companion.toFile());
    ObjectNode envelope = (ObjectNode) b.get("dsseEnvelope");
    String forged =
        new String(
                Base64.getDecoder().decode(envelope.get("payload").asText()),
                StandardCharsets.UTF_8)
            .replace("\"w\"", "\"v\"");
    envelope.put(
        "payload", Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)));
    Files.write(companion, JSON.writeValueAsBytes(b));
    VerificationException e = verifyFails();
    assertThat(e.rule()).isEqualTo(VerificationException.MODEL_MISMATCH);
    assertThat(e.tensorLines())
        .singleElement()
        .asString()
        .contains("ignored", "[" + TensorAttestation.SIGNATURE_INVALID + "]");
  }

  @Test
  void verify_companionAbsent_plainFileLevelFailure() throws Exception {
    flipW();
    Files.delete(ModelSigner.companionOf(sig));
    VerificationException e = verifyFails();
    assertThat(e.rule()).isEqualTo(VerificationException.MODEL_MISMATCH);
    assertThat(e.tensorLines()).isEmpty();
    assertThat(e.differences()).hasSize(1);
  }

  @Test
  void verify_companionFromAnotherSigning_ignored() throws Exception {
    Path other = Files.createDirectory(tmp.resolve("other"));
    SafetensorsWriter.mlx().f32("w", new long[] {1}, 1f).write(other.resolve("a.safetensors"));
    ModelSigner.builder(key).build().sign(other, other.resolve("model.sig"));
    Files.copy(
        ModelSigner.companionOf(other.resolve("model.sig")),
        ModelSigner.companionOf(sig),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    flipW();
    VerificationException e = verifyFails();
    assertThat(e.tensorLines())
        .singleElement()
        .asString()
        .contains("ignored", "[" + TensorAttestation.FOREIGN + "]");
  }

  @Test
  void sign_noWeightFiles_noCompanion() throws Exception {
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    Files.writeString(plain.resolve("readme.txt"), "hello");
    ModelSigner.builder(key).build().sign(plain, plain.resolve("model.sig"));
    assertThat(ModelSigner.companionOf(plain.resolve("model.sig"))).doesNotExist();
  }

  // ---- the attestation statement, rule by rule ----

  private static final StrictJson STRICT = new StrictJson(ParseLimits.defaults());
  private static final String CTD = "ab".repeat(32);

  private byte[] companionPayload() throws Exception {
    return JSON.writeValueAsBytes(payload(ModelSigner.companionOf(sig)));
  }

  private Digest signedRoot() throws Exception {
    return SignedStatement.parse(JSON.writeValueAsBytes(payload(sig)), STRICT)
        .manifest()
        .rootDigest();
  }

  /** The signed companion statement with {@code edit} applied to its JSON tree. */
  private byte[] editedStatement(java.util.function.Consumer<ObjectNode> edit) throws Exception {
    ObjectNode st = (ObjectNode) payload(ModelSigner.companionOf(sig));
    edit.accept(st);
    return JSON.writeValueAsBytes(st);
  }

  private static ObjectNode firstTensor(ObjectNode st) {
    return (ObjectNode) st.get("predicate").get("files").get(0).get("tensors").get(0);
  }

  private String parseFails(byte[] statement) throws Exception {
    Digest root = signedRoot();
    VerificationException e =
        catchThrowableOfType(
            VerificationException.class, () -> TensorAttestation.parse(statement, root, STRICT));
    assertThat(e).as("rejected").isNotNull();
    assertThat(e.getMessage()).startsWith("[" + e.rule() + "]");
    return e.rule();
  }

  @Test
  void parse_signedStatement_everyTensorOfEveryWeightFile() throws Exception {
    TensorAttestation.Expectations x =
        TensorAttestation.parse(companionPayload(), signedRoot(), STRICT);
    assertThat(x.files()).containsOnlyKeys("a.safetensors");
    assertThat(x.files().get("a.safetensors")).containsOnlyKeys("w", "u");
    try (WeightFile wf =
        WeightFiles.open(model.resolve("a.safetensors"), ParseLimits.defaults()).orElseThrow()) {
      for (TensorInfo t : wf.tensors()) {
        assertThat(x.files().get("a.safetensors").get(t.name()))
            .isEqualTo(TensorDigests.ctd1(wf, t).hex());
      }
    }
  }

  @Test
  void parse_notJson_malformed() throws Exception {
    assertThat(parseFails("{\"_type\":".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_duplicateKey_malformed() throws Exception {
    String s = new String(companionPayload(), StandardCharsets.UTF_8);
    byte[] dup = s.replaceFirst("\\{", "{\"predicate\":{},").getBytes(StandardCharsets.UTF_8);
    assertThat(parseFails(dup)).isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_otherPredicateType_foreign() throws Exception {
    assertThat(
            parseFails(
                editedStatement(st -> st.put("predicateType", SignedStatement.PREDICATE_TYPE))))
        .isEqualTo(TensorAttestation.FOREIGN);
  }

  @Test
  void parse_otherStatementType_foreign() throws Exception {
    assertThat(
            parseFails(editedStatement(st -> st.put("_type", "https://in-toto.io/Statement/v0.1"))))
        .isEqualTo(TensorAttestation.FOREIGN);
  }

  @Test
  void parse_predicateTypeNotAString_malformed() throws Exception {
    assertThat(parseFails(editedStatement(st -> st.put("predicateType", 1))))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_otherRootDigest_foreign() throws Exception {
    assertThat(
            parseFails(
                editedStatement(
                    st ->
                        ((ObjectNode) st.get("subject").get(0).get("digest")).put("sha256", CTD))))
        .isEqualTo(TensorAttestation.FOREIGN);
  }

  @Test
  void parse_twoSubjects_malformed() throws Exception {
    assertThat(
            parseFails(
                editedStatement(
                    st -> st.withArray("subject").add(st.get("subject").get(0).deepCopy()))))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_unknownStatementProperty_malformed() throws Exception {
    assertThat(parseFails(editedStatement(st -> st.put("extra", true))))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_filesNotAnArray_malformed() throws Exception {
    // An object of files would otherwise be walked value by value, as if it were a list.
    assertThat(
            parseFails(
                editedStatement(
                    st -> {
                      ObjectNode p = (ObjectNode) st.get("predicate");
                      p.set("files", JSON.createObjectNode().set("x", p.get("files").get(0)));
                    })))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_tensorWithoutCtd1_malformed() throws Exception {
    assertThat(parseFails(editedStatement(st -> firstTensor(st).remove("ctd1"))))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_ctd1UpperCase_malformed() throws Exception {
    assertThat(
            parseFails(
                editedStatement(
                    st ->
                        firstTensor(st)
                            .put(
                                "ctd1",
                                firstTensor(st)
                                    .get("ctd1")
                                    .asText()
                                    .toUpperCase(java.util.Locale.ROOT)))))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_tensorNameNotAString_malformed() throws Exception {
    assertThat(parseFails(editedStatement(st -> firstTensor(st).put("name", 7))))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_tensorNamedTwice_malformed() throws Exception {
    assertThat(
            parseFails(
                editedStatement(
                    st -> {
                      var tensors =
                          (com.fasterxml.jackson.databind.node.ArrayNode)
                              st.get("predicate").get("files").get(0).get("tensors");
                      tensors.add(((ObjectNode) tensors.get(0).deepCopy()).put("ctd1", CTD));
                    })))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  @Test
  void parse_fileListedTwice_malformed() throws Exception {
    assertThat(
            parseFails(
                editedStatement(
                    st -> {
                      var files =
                          (com.fasterxml.jackson.databind.node.ArrayNode)
                              st.get("predicate").get("files");
                      files.add(files.get(0).deepCopy());
                    })))
        .isEqualTo(TensorAttestation.MALFORMED);
  }

  // ---- what the verifier says about an attestation it cannot use ----

  /** Replaces the companion with a correctly signed bundle around {@code statement}. */
  private void resignCompanion(byte[] statement) throws Exception {
    byte[] s = Ecdsa.sign(key, Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, statement));
    Files.write(
        ModelSigner.companionOf(sig),
        OmsJsonWriter.keyBundle(KeyFiles.keyHint(key.publicKey()), statement, s));
  }

  @Test
  void verify_signedCompanionWithoutCtd1_ignoredAndNamesNoTensor() throws Exception {
    resignCompanion(editedStatement(st -> firstTensor(st).remove("ctd1")));
    flipW();
    VerificationException e = verifyFails();
    assertThat(e.rule()).isEqualTo(VerificationException.MODEL_MISMATCH);
    assertThat(e.tensorLines())
        .singleElement()
        .asString()
        .contains("ignored", "[" + TensorAttestation.MALFORMED + "]")
        .doesNotContain("changed tensor");
  }

  @Test
  void verify_companionLargerThanBundleLimit_ignoredUnread() throws Exception {
    flipW();
    Path companion = ModelSigner.companionOf(sig);
    long limit = Files.size(sig) + 1024;
    byte[] padded = Files.readAllBytes(companion);
    Files.write(companion, java.util.Arrays.copyOf(padded, (int) limit + 1));
    ParseLimits small = ParseLimits.builder().maxBundleBytes(limit).build();
    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () ->
                new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).limits(small).build())
                    .verify(model, sig));
    assertThat(e.rule()).isEqualTo(VerificationException.MODEL_MISMATCH);
    assertThat(e.tensorLines())
        .singleElement()
        .asString()
        .contains("ignored", "[limit.max-bundle-bytes]");
  }

  @Test
  void verify_companionIsADirectory_ignoredNotARegularFile() throws Exception {
    Path companion = ModelSigner.companionOf(sig);
    Files.delete(companion);
    Files.createDirectory(companion);
    flipW();
    VerificationException e = verifyFails();
    assertThat(e.rule()).isEqualTo(VerificationException.MODEL_MISMATCH);
    assertThat(e.tensorLines()).singleElement().asString().contains("ignored: not a regular file");
  }
}
