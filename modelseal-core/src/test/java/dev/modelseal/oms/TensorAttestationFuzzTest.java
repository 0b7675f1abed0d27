package dev.modelseal.oms;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.digest.Digest;
import dev.modelseal.digest.HashAlgorithm;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Hostile tensor attestations ({@code model.sig.tensors}). The attestation only explains a failure
 * that already happened, so {@link TensorAttestation#explain} must never throw, whatever the file
 * holds; and it names tensors only from an attestation whose signature and subject check out. Seeds
 * live in {@code TensorAttestationFuzzTestInputs/<method>/}; the {@code signedPayload} seeds are
 * statements for {@link #ROOT}.
 */
class TensorAttestationFuzzTest {
  private static final SigningKey KEY = SigningKey.generate(Curve.P256);

  /** The signed root digest the fuzzed statements are checked against: SHA-256 of "root". */
  static final Digest ROOT =
      Digest.fromHex(
          HashAlgorithm.SHA256, "4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2");

  private static final Path MODEL = changedModel();
  private static final List<ModelDifference> CHANGED =
      List.of(
          new ModelDifference(
              ModelDifference.Kind.CHANGED, "a.safetensors", Optional.of(ROOT), Optional.of(ROOT)));

  /** A model whose weight file "changed": the attestation is consulted for it. */
  private static Path changedModel() {
    try {
      Path dir = Files.createTempDirectory("attestation-fuzz-model");
      SafetensorsWriter.mlx()
          .f32("w", new long[] {4}, 1f, 2f, 3f, 4f)
          .f32("u", new long[] {2}, 5f, 6f)
          .write(dir.resolve("a.safetensors"));
      dir.toFile().deleteOnExit();
      dir.resolve("a.safetensors").toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> explain(Path companion) {
    return TensorAttestation.explain(
        MODEL, companion, KEY.publicKey(), ROOT, CHANGED, ParseLimits.defaults());
  }

  /** The harness reaches the tensor comparison: the valid seed names tensors of this model. */
  @org.junit.jupiter.api.Test
  void explain_validSignedSeed_namesTheModelsTensors() throws Exception {
    byte[] seed;
    try (var in =
        TensorAttestationFuzzTest.class.getResourceAsStream(
            "TensorAttestationFuzzTestInputs/signedPayload/valid")) {
      seed = in.readAllBytes();
    }
    List<String> lines = explainSigned(seed);
    org.assertj.core.api.Assertions.assertThat(lines)
        .contains(
            "changed tensor: w in a.safetensors",
            "changed tensor: u in a.safetensors",
            "removed tensor: gone in a.safetensors",
            "a.safetensors: 0 of 3 signed tensors intact");
  }

  /** Arbitrary bytes as the attestation file: unsigned, so never a tensor-level explanation. */
  @FuzzTest(maxDuration = "5m")
  void file(byte[] data) throws IOException {
    Path companion = Files.createTempFile("attestation-fuzz", ".sig.tensors");
    try {
      Files.write(companion, data);
      for (String line : explain(companion)) {
        if (!line.endsWith(", ignored")) {
          throw new AssertionError("an attestation nobody signed explained: " + line);
        }
      }
    } finally {
      Files.deleteIfExists(companion);
    }
  }

  /**
   * Arbitrary bytes as the payload of a correctly signed attestation: drives statement parsing, the
   * subject check and the tensor comparison. Never throws; every line is either "ignored" or names
   * this model's file.
   */
  @FuzzTest(maxDuration = "5m")
  void signedPayload(byte[] data) throws IOException {
    for (String line : explainSigned(data)) {
      if (!line.endsWith(", ignored") && !line.contains("a.safetensors")) {
        throw new AssertionError("explanation about something else: " + line);
      }
    }
  }

  /** {@code data} as the payload of an attestation correctly signed with {@link #KEY}. */
  private static List<String> explainSigned(byte[] data) throws IOException {
    byte[] payload = data.length == 0 ? new byte[] {' '} : data;
    byte[] sig = Ecdsa.sign(KEY, Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, payload));
    String json =
        "{\"mediaType\":\""
            + Bundle.MEDIA_TYPE
            + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\""
            + KeyFiles.keyHint(KEY.publicKey())
            + "\"}},\"dsseEnvelope\":{\"payload\":\""
            + Base64.getEncoder().encodeToString(payload)
            + "\",\"payloadType\":\""
            + Dsse.IN_TOTO_PAYLOAD_TYPE
            + "\",\"signatures\":[{\"sig\":\""
            + Base64.getEncoder().encodeToString(sig)
            + "\"}]}}";
    Path companion = Files.createTempFile("attestation-fuzz", ".sig.tensors");
    try {
      Files.writeString(companion, json, StandardCharsets.UTF_8);
      return explain(companion);
    } finally {
      Files.deleteIfExists(companion);
    }
  }
}
