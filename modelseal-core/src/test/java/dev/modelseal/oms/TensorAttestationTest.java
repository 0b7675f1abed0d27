package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    assertThat(e.tensorLines()).singleElement().asString().contains("signature invalid");
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
    assertThat(e.tensorLines()).singleElement().asString().contains("not for this signature");
  }

  @Test
  void sign_noWeightFiles_noCompanion() throws Exception {
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    Files.writeString(plain.resolve("readme.txt"), "hello");
    ModelSigner.builder(key).build().sign(plain, plain.resolve("model.sig"));
    assertThat(ModelSigner.companionOf(plain.resolve("model.sig"))).doesNotExist();
  }
}
