package dev.modelseal.oms;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.format.ParseLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Hostile bundles and statements: the only acceptable failure is a {@link VerificationException}
 * naming a rule; anything else (runtime exceptions, errors) fails the fuzz target. Seeds live in
 * {@code OmsFuzzTestInputs/<method>/}.
 */
class OmsFuzzTest {
  private static final StrictJson JSON = new StrictJson(ParseLimits.defaults());
  private static final SigningKey KEY = SigningKey.generate(Curve.P256);
  private static final Path MODEL = smallModel();
  private static final ModelVerifier VERIFIER;

  static {
    try {
      VERIFIER =
          new ModelVerifier(TrustPolicy.publicKey(KEY.publicKey()).ignoreUnsignedFiles().build());
    } catch (KeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path smallModel() {
    try {
      Path dir = Files.createTempDirectory("oms-fuzz-model");
      Files.writeString(dir.resolve("config.json"), "{}");
      Files.createDirectories(dir.resolve("sub"));
      Files.write(dir.resolve("sub/w.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Arbitrary bytes as a bundle file. */
  @FuzzTest(maxDuration = "5m")
  void bundle(byte[] data) {
    try {
      Bundle b = Bundle.parse(data, JSON);
      b.payload();
    } catch (VerificationException expected) {
      checkRule(expected);
    }
  }

  /** Arbitrary bytes as a (signature-checked) statement payload. */
  @FuzzTest(maxDuration = "5m")
  void statement(byte[] data) {
    try {
      SignedStatement.parse(data, JSON);
    } catch (VerificationException expected) {
      checkRule(expected);
    }
  }

  /**
   * Arbitrary bytes as the payload of a correctly signed bundle, verified against a small model:
   * drives statement parsing and the model comparison (names, shards, ignore paths) end to end.
   */
  @FuzzTest(maxDuration = "5m")
  void signedStatement(byte[] data) throws IOException {
    Path bundle = Files.createTempFile("oms-fuzz", ".sig");
    try {
      byte[] sig = Ecdsa.sign(KEY, Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, data));
      String json =
          "{\"mediaType\":\""
              + Bundle.MEDIA_TYPE
              + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\""
              + KeyFiles.keyHint(KEY.publicKey())
              + "\"}},\"dsseEnvelope\":{\"payload\":\""
              + Base64.getEncoder().encodeToString(data.length == 0 ? new byte[] {' '} : data)
              + "\",\"payloadType\":\""
              + Dsse.IN_TOTO_PAYLOAD_TYPE
              + "\",\"signatures\":[{\"sig\":\""
              + Base64.getEncoder().encodeToString(sig)
              + "\"}]}}";
      Files.writeString(bundle, json);
      VERIFIER.verify(MODEL, bundle);
    } catch (VerificationException expected) {
      checkRule(expected);
    } finally {
      Files.deleteIfExists(bundle);
    }
  }

  private static void checkRule(VerificationException e) {
    if (e.rule() == null
        || e.rule().isEmpty()
        || !e.getMessage().startsWith("[" + e.rule() + "]")) {
      throw new AssertionError("verification failure without a rule: " + e.getMessage(), e);
    }
  }
}
