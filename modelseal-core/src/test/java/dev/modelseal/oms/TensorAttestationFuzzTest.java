package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.ModelSealException;
import dev.modelseal.digest.Digest;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile tensor attestations ({@code model.sig.tensors}). The attestation only explains a failure
 * that has already happened: whatever it holds, it must never make a tampered model pass or an
 * intact one fail, never escape as anything but a {@link VerificationException}, and when it is not
 * valid for the signature the verifier must say it is ignored instead of naming tensors from it.
 * Seeds live in {@code TensorAttestationFuzzTestInputs/<method>/}.
 *
 * <p>The first byte of a {@link #verify} input picks what the rest is ({@link Companion}) and which
 * weight file is on disk ({@link #VARIANTS}); see {@link #verify}.
 */
class TensorAttestationFuzzTest {
  private static final ParseLimits LIMITS = ParseLimits.defaults();
  private static final StrictJson JSON = new StrictJson(LIMITS);
  private static final SigningKey KEY = SigningKey.generate(Curve.P256);
  private static final SigningKey OTHER_KEY = SigningKey.generate(Curve.P256);
  private static final String WEIGHTS = "a.safetensors";
  private static final String IGNORED_PREFIX = "tensor attestation model.sig.tensors ignored: ";

  /** A small model signed once: {@code a.safetensors} (tensors w[4], u[2]) and a config. */
  private static final Path MODEL;

  private static final Path SIG;
  private static final Path COMPANION;
  private static final Path WEIGHT_FILE;
  private static final byte[] SIGNED_WEIGHTS;
  private static final byte[] SIGNED_COMPANION;
  private static final Digest ROOT;
  private static final TensorAttestation.Expectations SIGNED_EXPECTATIONS;
  private static final ModelVerifier VERIFIER;

  /**
   * The weight file contents a verify input can put on disk; index 1 is the signed file. The others
   * change it: a float of w, an added tensor, a removed tensor, no weight file at all, cut data.
   */
  private static final List<byte[]> VARIANTS;

  static {
    try {
      MODEL = Files.createTempDirectory("attestation-fuzz");
      WEIGHT_FILE = MODEL.resolve(WEIGHTS);
      Files.write(WEIGHT_FILE, weights().toBytes());
      Files.writeString(MODEL.resolve("config.json"), "{}");
      SIG = MODEL.resolve("model.sig");
      ModelSigner.builder(KEY).build().sign(MODEL, SIG);
      COMPANION = ModelSigner.companionOf(SIG);
      SIGNED_WEIGHTS = Files.readAllBytes(WEIGHT_FILE);
      SIGNED_COMPANION = Files.readAllBytes(COMPANION);
      VERIFIER = new ModelVerifier(TrustPolicy.publicKey(KEY.publicKey()).build());
      ROOT =
          SignedStatement.parse(Bundle.parse(Files.readAllBytes(SIG), JSON).payload(), JSON)
              .manifest()
              .rootDigest();
      SIGNED_EXPECTATIONS = TensorAttestation.read(SIGNED_COMPANION, KEY.publicKey(), ROOT, JSON);
      VARIANTS =
          List.of(
              SafetensorsWriter.mlx()
                  .f32("w", new long[] {4}, 1f, 2f, 9f, 4f)
                  .f32("u", new long[] {2}, 5f, 6f)
                  .toBytes(),
              SIGNED_WEIGHTS,
              weights().f32("x", new long[] {1}, 7f).toBytes(),
              SafetensorsWriter.mlx().f32("w", new long[] {4}, 1f, 2f, 3f, 4f).toBytes(),
              "not weights".getBytes(StandardCharsets.US_ASCII),
              Arrays.copyOf(SIGNED_WEIGHTS, SIGNED_WEIGHTS.length - 3));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ModelSealException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SafetensorsWriter weights() {
    return SafetensorsWriter.mlx()
        .f32("w", new long[] {4}, 1f, 2f, 3f, 4f)
        .f32("u", new long[] {2}, 5f, 6f);
  }

  @AfterAll
  static void removeModel() throws IOException {
    try (Stream<Path> all = Files.walk(MODEL)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** What the bytes after the first byte of a {@link #verify} input are. */
  private enum Companion {
    /** The companion file itself. */
    RAW,
    /** A statement, put into a bundle correctly signed with the model's key. */
    SIGNED_STATEMENT,
    /** A statement, put into a bundle signed with another key. */
    OTHER_KEY,
    /** A patch of the weight file (u16 offset, then bytes); the companion is the signed one. */
    WEIGHT_PATCH
  }

  /**
   * Arbitrary bytes as the (signature-checked) attestation statement, parsed by the long-lived
   * parser and by a fresh one: both must give the same result, so nothing a parser saw before can
   * change how it reads a document.
   */
  @FuzzTest(maxDuration = "5m")
  void statement(byte[] data) {
    Object warm = outcome(JSON, data);
    Object fresh = outcome(new StrictJson(LIMITS), data);
    if (!warm.equals(fresh)) {
      throw new AssertionError("parse depends on parser state: " + warm + " vs " + fresh);
    }
  }

  /** The expectations, or the rule that rejected the statement. */
  private static Object outcome(StrictJson json, byte[] data) {
    try {
      TensorAttestation.Expectations x = TensorAttestation.parse(data, ROOT, json);
      for (Map<String, String> tensors : x.files().values()) {
        for (String ctd1 : tensors.values()) {
          if (!ctd1.matches("[0-9a-f]{64}")) {
            throw new AssertionError("accepted a ctd1 that is not a SHA-256: " + ctd1);
          }
        }
      }
      return x;
    } catch (VerificationException e) {
      checkRule(e);
      if (!e.rule().equals(TensorAttestation.MALFORMED)
          && !e.rule().equals(TensorAttestation.FOREIGN)) {
        throw new AssertionError("statement rejected under a foreign rule: " + e.getMessage(), e);
      }
      return e.rule();
    }
  }

  /**
   * End to end: the first byte picks a {@link Companion} (low two bits) and a weight file variant
   * (the rest, modulo their count); the companion and the weight file are put on disk and the model
   * verified. Verification passes exactly when the weight file is the signed one, and when it fails
   * the tensor lines agree with what {@link TensorAttestation#read} makes of the companion.
   */
  @FuzzTest(maxDuration = "5m")
  void verify(byte[] data) throws IOException {
    int selector = data.length == 0 ? 0 : data[0] & 0xff;
    byte[] rest = data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
    Companion mode = Companion.values()[selector & 3];
    byte[] weights = VARIANTS.get((selector >>> 2) % VARIANTS.size());
    byte[] companion =
        switch (mode) {
          case RAW -> rest;
          case SIGNED_STATEMENT -> signedBundle(KEY, rest);
          case OTHER_KEY -> signedBundle(OTHER_KEY, rest);
          case WEIGHT_PATCH -> SIGNED_COMPANION;
        };
    if (mode == Companion.WEIGHT_PATCH) {
      weights = patch(weights, rest);
    }
    Files.write(WEIGHT_FILE, weights);
    Files.write(COMPANION, companion);

    boolean intact = Arrays.equals(weights, SIGNED_WEIGHTS);
    try {
      VERIFIER.verify(MODEL, SIG);
      if (!intact) {
        throw new AssertionError("a changed weight file verified");
      }
    } catch (VerificationException e) {
      checkRule(e);
      if (intact) {
        throw new AssertionError("an intact model failed: " + e.getMessage(), e);
      }
      if (!e.rule().equals(VerificationException.MODEL_MISMATCH)
          || e.differences().size() != 1
          || e.differences().get(0).kind() != ModelDifference.Kind.CHANGED
          || !e.differences().get(0).name().equals(WEIGHTS)) {
        throw new AssertionError("a changed weight file is not the only difference", e);
      }
      boolean signedAttestation = checkTensorLines(companion, mode, e.tensorLines());
      if (signedAttestation && Arrays.equals(weights, VARIANTS.get(0))) {
        assertThat(e.tensorLines())
            .containsExactly(
                "changed tensor: w in " + WEIGHTS, WEIGHTS + ": 1 of 2 signed tensors intact");
      }
    }
  }

  /**
   * An attestation that {@link TensorAttestation#read} rejects gives exactly one line saying it is
   * ignored, under the same rule; one it accepts gives only lines about the tensors it lists.
   *
   * @return true when the companion promises what the signed one does
   */
  private static boolean checkTensorLines(byte[] companion, Companion mode, List<String> lines) {
    for (String l : lines) {
      if (l.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new AssertionError("tensor line with a control character: " + l);
      }
    }
    TensorAttestation.Expectations expected;
    try {
      expected = TensorAttestation.read(companion, KEY.publicKey(), ROOT, JSON);
    } catch (VerificationException rejected) {
      // The reason may quote the attestation, but only after the prefix that says it is ignored.
      if (lines.size() != 1
          || !lines.get(0).startsWith(IGNORED_PREFIX + "[" + rejected.rule() + "] ")) {
        throw new AssertionError(
            "an attestation rejected with " + rejected.rule() + " was not just ignored: " + lines,
            rejected);
      }
      return false;
    }
    if (mode == Companion.OTHER_KEY) {
      throw new AssertionError("an attestation signed with another key was accepted");
    }
    Map<String, String> attested = expected.files().get(WEIGHTS);
    if (attested == null) {
      assertThat(lines).as("lines for a file the attestation does not list").isEmpty();
      return false;
    }
    List<String> names = attested.keySet().stream().map(VerificationException::printable).toList();
    java.util.regex.Pattern tally =
        java.util.regex.Pattern.compile(
            java.util.regex.Pattern.quote(WEIGHTS) + ": (\\d+) of (\\d+) signed tensors intact");
    for (String l : lines) {
      java.util.regex.Matcher m = tally.matcher(l);
      if (l.startsWith("changed tensor: ") || l.startsWith("removed tensor: ")) {
        assertThat(names).as("tensor named in: " + l).contains(tensorOf(l));
      } else if (l.startsWith("added tensor: ")) {
        if (mode != Companion.WEIGHT_PATCH) {
          // Without a patch, the weight file on disk is one of the variants.
          assertThat(tensorOf(l)).as("added tensor in: " + l).isIn("w", "u", "x");
        }
      } else if (m.matches()) {
        assertThat(Integer.parseInt(m.group(2))).as(l).isEqualTo(attested.size());
        assertThat(Integer.parseInt(m.group(1))).as(l).isLessThanOrEqualTo(attested.size());
      } else if (!l.startsWith(WEIGHTS + ": no longer a weight file")
          && !l.startsWith(WEIGHTS + ": cannot be read")) {
        throw new AssertionError("unexpected tensor line: " + l);
      }
    }
    return expected.equals(SIGNED_EXPECTATIONS);
  }

  /** NAME in {@code changed tensor: NAME in FILE} (and added, removed). */
  private static String tensorOf(String line) {
    String rest = line.substring(line.indexOf("tensor: ") + "tensor: ".length());
    String suffix = " in " + WEIGHTS;
    if (!rest.endsWith(suffix)) {
      throw new AssertionError("tensor line not about " + WEIGHTS + ": " + line);
    }
    return rest.substring(0, rest.length() - suffix.length());
  }

  private static byte[] signedBundle(SigningKey key, byte[] statement) {
    // DSSE payloads are base64 of at least one byte (the bundle parser rejects an empty one).
    byte[] payload = statement.length == 0 ? new byte[] {' '} : statement;
    byte[] sig = Ecdsa.sign(key, Dsse.pae(Dsse.IN_TOTO_PAYLOAD_TYPE, payload));
    return OmsJsonWriter.keyBundle(KeyFiles.keyHint(key.publicKey()), payload, sig);
  }

  /**
   * {@code patch}: a little-endian u16 offset (modulo the length + 1), then bytes written there.
   */
  private static byte[] patch(byte[] base, byte[] patch) {
    if (patch.length < 2) {
      return base;
    }
    int offset = ((patch[0] & 0xff) | (patch[1] & 0xff) << 8) % (base.length + 1);
    byte[] out = Arrays.copyOf(base, Math.max(base.length, offset + patch.length - 2));
    System.arraycopy(patch, 2, out, offset, patch.length - 2);
    return out;
  }

  private static void checkRule(VerificationException e) {
    if (e.rule() == null
        || e.rule().isEmpty()
        || !e.getMessage().startsWith("[" + e.rule() + "]")) {
      throw new AssertionError("verification failure without a rule: " + e.getMessage(), e);
    }
  }

  /**
   * The seeds carry the fixture's root digest: if the model above changes, they would silently stop
   * reaching past the subject check.
   */
  @Test
  void seeds_validStatement_matchFixtureRoot() throws Exception {
    byte[] seed =
        readSeed("statement/valid.json")
            .orElseThrow(() -> new AssertionError("statement/valid.json seed missing"));
    assertThat(TensorAttestation.parse(seed, ROOT, JSON).files()).containsKey(WEIGHTS);
    JsonNode signed = new ObjectMapper().readTree(Bundle.parse(SIGNED_COMPANION, JSON).payload());
    assertThat(new ObjectMapper().readTree(seed).at("/subject/0/digest"))
        .isEqualTo(signed.at("/subject/0/digest"));
  }

  private static java.util.Optional<byte[]> readSeed(String name) throws IOException {
    try (var in =
        TensorAttestationFuzzTest.class.getResourceAsStream(
            "TensorAttestationFuzzTestInputs/" + name)) {
      return in == null ? java.util.Optional.empty() : java.util.Optional.of(in.readAllBytes());
    }
  }
}
