package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Independent verification of our key-method bundles with sigstore-js ({@code @sigstore/verify},
 * transparency-log and timestamp checks disabled), set up from {@code src/test/node} with npm into
 * {@code target/sigstore-js}. Skipped when node/npm are missing or the npm registry is unreachable.
 *
 * <p>Only P-256 is exercised: sigstore-js verifies DSSE signatures with the key's default digest
 * (SHA-256), so it rejects every P-384/P-521 OMS bundle, the OMS spec's own valid key bundle
 * included. That is a limitation of sigstore-js, not of the bundles.
 */
class SigstoreJsInteropTest {
  private static Path work;

  @TempDir Path tmp;

  record Result(int code, String output) {}

  private static Result exec(Path dir, long timeoutSeconds, String... cmd) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, String.valueOf(e.getMessage()));
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void install() throws Exception {
    Path src = Path.of("src/test/node").toAbsolutePath();
    assumeTrue(Files.isDirectory(src), "src/test/node absent: skipping sigstore-js interop");
    assumeTrue(
        exec(src, 30, "node", "--version").code() == 0,
        "node unavailable: skipping sigstore-js interop");
    assumeTrue(
        exec(src, 30, "npm", "--version").code() == 0,
        "npm unavailable: skipping sigstore-js interop");
    work = Path.of("target/sigstore-js").toAbsolutePath();
    Files.createDirectories(work);
    for (String f : List.of("package.json", "package-lock.json", "verify-bundle.cjs")) {
      Files.copy(
          src.resolve(f), work.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(work.resolve("node_modules/@sigstore/verify"))) {
      Result r = exec(work, 300, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
      assumeTrue(
          r.code() == 0,
          "npm ci failed (registry unreachable?): skipping sigstore-js interop\n" + r.output());
    }
  }

  private Result verifyWithSigstoreJs(Path bundle, Path publicKey) throws Exception {
    return exec(work, 60, "node", "verify-bundle.cjs", bundle.toString(), publicKey.toString());
  }

  private Path publicKeyFile(SigningKey k) throws Exception {
    return Files.writeString(tmp.resolve("k.pub"), KeyFiles.publicKeyPem(k.publicKey()));
  }

  @Test
  void sigstoreJs_ourP256FolderBundle_verifies() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P256);
    Path m = OmsRoundTripTest.model(tmp.resolve("m"));
    Path b = ModelSigner.builder(k).build().sign(m, tmp.resolve("m.sig")).signature();
    Result r = verifyWithSigstoreJs(b, publicKeyFile(k));
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("verified");
  }

  @Test
  void sigstoreJs_ourShardsAndSingleFileBundles_verify() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P256);
    Path m = OmsRoundTripTest.model(tmp.resolve("m"));
    Path shards =
        ModelSigner.builder(k).shardSize(3).build().sign(m, tmp.resolve("s.sig")).signature();
    Path single =
        ModelSigner.builder(k)
            .build()
            .sign(m.resolve("config.json"), tmp.resolve("f.sig"))
            .signature();
    Path pub = publicKeyFile(k);
    assertThat(verifyWithSigstoreJs(shards, pub).code()).isZero();
    assertThat(verifyWithSigstoreJs(single, pub).code()).isZero();
  }

  @Test
  void sigstoreJs_tamperedPayloadOrOtherKey_fails() throws Exception {
    SigningKey k = SigningKey.generate(Curve.P256);
    Path m = OmsRoundTripTest.model(tmp.resolve("m"));
    Path b = ModelSigner.builder(k).build().sign(m, tmp.resolve("m.sig")).signature();
    Path tampered =
        BundleEditor.read(b)
            .statement(
                st ->
                    ((com.fasterxml.jackson.databind.node.ObjectNode) st.at("/subject/0"))
                        .put("name", "x"))
            .write(tmp.resolve("t.sig"));
    assertThat(verifyWithSigstoreJs(tampered, publicKeyFile(k)).code()).isNotZero();
    Path otherPub =
        Files.writeString(
            tmp.resolve("o.pub"),
            KeyFiles.publicKeyPem(SigningKey.generate(Curve.P256).publicKey()));
    assertThat(verifyWithSigstoreJs(b, otherPub).code()).isNotZero();
  }
}
