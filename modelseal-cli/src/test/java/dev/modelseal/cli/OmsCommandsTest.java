package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keygen, sign, verify and the oms interop commands, through {@link Main#run}. */
class OmsCommandsTest {
  @TempDir Path tmp;
  private Path model;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void model() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.createDirectories(model.resolve("weights"));
    Files.write(model.resolve("weights/w.bin"), new byte[] {1, 2, 3});
  }

  private Path[] keys(String... extra) {
    Path k = tmp.resolve("k.pem");
    Path p = tmp.resolve("k.pub");
    String[] base = {"keygen", "--private-key", k.toString(), "--public-key", p.toString()};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    Run r = run(args);
    assertThat(r.code()).as(r.err()).isZero();
    return new Path[] {k, p};
  }

  @Test
  void keygen_default_writesOwnerOnlyPrivateKey() throws Exception {
    Path[] k = keys();
    assertThat(Files.getPosixFilePermissions(k[0]))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(k[0])).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(k[1])).startsWith("-----BEGIN PUBLIC KEY-----\n");
  }

  @Test
  void keygen_existingFile_exitsTwoAndKeepsIt() throws Exception {
    Files.writeString(tmp.resolve("k.pub"), "keep me");
    Run r =
        run(
            "keygen",
            "--private-key",
            tmp.resolve("k.pem").toString(),
            "--public-key",
            tmp.resolve("k.pub").toString());
    assertThat(r.code()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("key.file-exists");
    assertThat(Files.readString(tmp.resolve("k.pub"))).isEqualTo("keep me");
    assertThat(tmp.resolve("k.pem")).doesNotExist();
  }

  @Test
  void keygen_badCurve_exitsTwo() {
    Run r =
        run(
            "keygen",
            "--private-key",
            tmp.resolve("a").toString(),
            "--public-key",
            tmp.resolve("b").toString(),
            "--curve",
            "p192");
    assertThat(r.code()).isEqualTo(ExitCode.CANNOT_RUN);
  }

  @Test
  void signVerify_folder_defaultSignatureInside() throws Exception {
    Path[] k = keys("--curve", "p521");
    Run s = run("sign", model.toString(), "--private-key", k[0].toString());
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(model.resolve("model.sig")).exists();
    Run v =
        run(
            "verify",
            model.toString(),
            "--signature",
            model.resolve("model.sig").toString(),
            "--public-key",
            k[1].toString());
    assertThat(v.code()).as(v.err()).isZero();
    assertThat(v.out()).startsWith("verified ").contains("signer: public key").contains("2 files");
  }

  @Test
  void signVerify_encryptedKey_needsPasswordFile() throws Exception {
    Path pw = Files.writeString(tmp.resolve("pw"), "correct horse\n");
    Path[] k = keys("--password-file", pw.toString());
    assertThat(Files.readString(k[0])).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    Run noPw = run("sign", model.toString(), "--private-key", k[0].toString());
    assertThat(noPw.code()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(noPw.err()).contains("key.password-required");
    Run s =
        run(
            "sign",
            model.toString(),
            "--private-key",
            k[0].toString(),
            "--password-file",
            pw.toString());
    assertThat(s.code()).as(s.err()).isZero();
  }

  @Test
  void sign_singleFile_writesSignatureBeside() throws Exception {
    Path[] k = keys();
    Path f = model.resolve("weights/w.bin");
    assertThat(run("sign", f.toString(), "--private-key", k[0].toString()).code()).isZero();
    assertThat(model.resolve("weights/w.bin.sig")).exists();
    Run v =
        run(
            "verify",
            f.toString(),
            "--signature",
            model.resolve("weights/w.bin.sig").toString(),
            "--public-key",
            k[1].toString());
    assertThat(v.code()).as(v.err()).isZero();
  }

  @Test
  void sign_nothingLeft_exitsThree() throws Exception {
    Path[] k = keys();
    Run r =
        run(
            "sign",
            model.toString(),
            "--private-key",
            k[0].toString(),
            "--ignore",
            "config.json",
            "--ignore",
            model.resolve("weights").toString());
    assertThat(r.code()).isEqualTo(ExitCode.NOTHING_TO_CHECK);
    assertThat(r.err()).contains("oms.nothing-to-sign");
  }

  @Test
  void sign_ignoreOutsideModel_exitsTwo() throws Exception {
    Path[] k = keys();
    Run r =
        run("sign", model.toString(), "--private-key", k[0].toString(), "--ignore", tmp.toString());
    assertThat(r.code()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("tree.bad-ignore-path");
  }

  @Test
  void verify_tampered_exitsOneWithOneLinePerDifference() throws Exception {
    Path[] k = keys();
    run("sign", model.toString(), "--private-key", k[0].toString());
    Files.writeString(model.resolve("config.json"), "{\"x\":1}");
    Files.writeString(model.resolve("new.txt"), "x");
    Files.delete(model.resolve("weights/w.bin"));
    Run v =
        run(
            "verify",
            model.toString(),
            "--signature",
            model.resolve("model.sig").toString(),
            "--public-key",
            k[1].toString());
    assertThat(v.code()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(v.err().lines().filter(l -> l.startsWith("modelseal: [oms.model-mismatch]")))
        .hasSize(3);
  }

  @Test
  void verify_json_reportsStatusRuleAndDifferences() throws Exception {
    Path[] k = keys();
    run("sign", model.toString(), "--private-key", k[0].toString());
    Run ok =
        run(
            "verify",
            model.toString(),
            "--signature",
            model.resolve("model.sig").toString(),
            "--public-key",
            k[1].toString(),
            "--json");
    JsonNode j = new ObjectMapper().readTree(ok.out());
    assertThat(j.get("status").asText()).isEqualTo("verified");
    assertThat(j.get("signer").get("type").asText()).isEqualTo("public-key");
    assertThat(j.get("files").asInt()).isEqualTo(2);
    Files.writeString(model.resolve("new.txt"), "x");
    Run bad =
        run(
            "verify",
            model.toString(),
            "--signature",
            model.resolve("model.sig").toString(),
            "--public-key",
            k[1].toString(),
            "--json");
    assertThat(bad.code()).isEqualTo(ExitCode.CHECK_FAILED);
    JsonNode b = new ObjectMapper().readTree(bad.out());
    assertThat(b.get("status").asText()).isEqualTo("failed");
    assertThat(b.get("rule").asText()).isEqualTo("oms.model-mismatch");
    assertThat(b.at("/differences/0/kind").asText()).isEqualTo("extra");
    assertThat(b.at("/differences/0/name").asText()).isEqualTo("new.txt");
  }

  @Test
  void verify_json_listsEachVerifiedFileWithItsDigest() throws Exception {
    Path[] k = keys();
    run("sign", model.toString(), "--private-key", k[0].toString());
    JsonNode j = verifyJson(k[1]);
    assertThat(j.get("resources").asInt()).isEqualTo(2);
    JsonNode list = j.get("verified_resources");
    assertThat(list).hasSize(2);
    java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
    list.forEach(n -> byName.put(n.get("name").asText(), n));
    assertThat(byName).containsOnlyKeys("config.json", "weights/w.bin");
    JsonNode w = byName.get("weights/w.bin");
    assertThat(w.get("path").asText()).isEqualTo("weights/w.bin");
    assertThat(w.get("algorithm").asText()).isEqualTo("sha256");
    assertThat(w.get("digest").asText()).isEqualTo(sha256Hex(new byte[] {1, 2, 3}));
    assertThat(w.has("start")).isFalse();
    assertThat(byName.get("config.json").get("digest").asText())
        .isEqualTo(sha256Hex("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void verify_jsonShards_listsEachPieceWithRangeAndDigest() throws Exception {
    Path[] k = keys();
    Files.write(model.resolve("weights/w.bin"), new byte[] {1, 2, 3, 4, 5});
    Run s = run("sign", model.toString(), "--private-key", k[0].toString(), "--shard-size", "2");
    assertThat(s.code()).as(s.err()).isZero();
    JsonNode list = verifyJson(k[1]).get("verified_resources");
    java.util.List<String> names = new java.util.ArrayList<>();
    list.forEach(n -> names.add(n.get("name").asText()));
    assertThat(names)
        .containsExactlyInAnyOrder(
            "config.json:0:2", "weights/w.bin:0:2", "weights/w.bin:2:4", "weights/w.bin:4:5");
    for (JsonNode n : list) {
      if (n.get("name").asText().equals("weights/w.bin:2:4")) {
        assertThat(n.get("path").asText()).isEqualTo("weights/w.bin");
        assertThat(n.get("start").asLong()).isEqualTo(2);
        assertThat(n.get("end").asLong()).isEqualTo(4);
        assertThat(n.get("digest").asText()).isEqualTo(sha256Hex(new byte[] {3, 4}));
      }
    }
  }

  @Test
  void verify_jsonFailed_listsNoVerifiedResources() throws Exception {
    Path[] k = keys();
    run("sign", model.toString(), "--private-key", k[0].toString());
    Files.write(model.resolve("weights/w.bin"), new byte[] {9});
    JsonNode j = verifyJson(k[1]);
    assertThat(j.get("status").asText()).isEqualTo("failed");
    assertThat(j.get("verified_resources")).isEmpty();
  }

  private JsonNode verifyJson(Path publicKey) throws Exception {
    Run r =
        run(
            "verify",
            model.toString(),
            "--signature",
            model.resolve("model.sig").toString(),
            "--public-key",
            publicKey.toString(),
            "--json");
    return new ObjectMapper().readTree(r.out());
  }

  private static String sha256Hex(byte[] b) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void verify_ignoreUnsignedFilesAndIgnore_tolerateExtras() throws Exception {
    Path[] k = keys();
    run("sign", model.toString(), "--private-key", k[0].toString());
    Files.writeString(model.resolve("new.txt"), "x");
    String sig = model.resolve("model.sig").toString();
    assertThat(
            run(
                    "verify",
                    model.toString(),
                    "--signature",
                    sig,
                    "--public-key",
                    k[1].toString(),
                    "--ignore-unsigned-files")
                .code())
        .isZero();
    assertThat(
            run(
                    "verify",
                    model.toString(),
                    "--signature",
                    sig,
                    "--public-key",
                    k[1].toString(),
                    "--ignore",
                    "new.txt")
                .code())
        .isZero();
  }

  @Test
  void verify_noTrustMaterial_exitsTwo() throws Exception {
    Run r = run("verify", model.toString(), "--signature", model.resolve("model.sig").toString());
    assertThat(r.code()).isEqualTo(ExitCode.CANNOT_RUN);
  }

  @Test
  void verify_missingSignature_exitsTwo() throws Exception {
    Path[] k = keys();
    Run r =
        run(
            "verify",
            model.toString(),
            "--signature",
            tmp.resolve("none.sig").toString(),
            "--public-key",
            k[1].toString());
    assertThat(r.code()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("oms.io-error");
  }

  @Test
  void omsSignModelVerifyModel_keyMethod_roundTrip() throws Exception {
    Path[] k = keys();
    Path bundle = tmp.resolve("b.sig");
    Files.writeString(model.resolve("skip.txt"), "x");
    Run s =
        run(
            "oms",
            "sign-model",
            "--method",
            "key",
            "--model-path",
            model.toString(),
            "--output-bundle",
            bundle.toString(),
            "--private-key",
            k[0].toString(),
            "--ignore-paths",
            model.resolve("skip.txt").toString());
    assertThat(s.code()).as(s.err()).isZero();
    Files.writeString(model.resolve("skip.txt"), "changed, but ignored");
    Run v =
        run(
            "oms",
            "verify-model",
            "--method",
            "key",
            "--model-path",
            model.toString(),
            "--bundle",
            bundle.toString(),
            "--public-key",
            k[1].toString());
    assertThat(v.code()).as(v.err()).isZero();
    Files.writeString(model.resolve("config.json"), "tampered");
    assertThat(
            run(
                    "oms",
                    "verify-model",
                    "--method",
                    "key",
                    "--model-path",
                    model.toString(),
                    "--bundle",
                    bundle.toString(),
                    "--public-key",
                    k[1].toString())
                .code())
        .isEqualTo(ExitCode.CHECK_FAILED);
  }

  @Test
  void omsSignModel_sigstore_exitsNonZeroWithMessage() throws Exception {
    Path[] k = keys();
    Run r =
        run(
            "oms",
            "sign-model",
            "--method",
            "sigstore",
            "--model-path",
            model.toString(),
            "--output-bundle",
            tmp.resolve("b").toString(),
            "--private-key",
            k[0].toString());
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("keyless");
  }

  private static Path vectors() {
    String shared = System.getProperty("modelseal.shared");
    Path p = shared == null ? null : Path.of(shared, "vectors/oms/model-transparency");
    assumeTrue(p != null && Files.isDirectory(p), "shared OMS vectors absent: skipping");
    return p;
  }

  @Test
  void omsVerifyModel_certificateVector_verifies() {
    Path v = vectors();
    Run r =
        run(
            "oms",
            "verify-model",
            "--method",
            "certificate",
            "--model-path",
            v.resolve("v1.1.0-certificate").toString(),
            "--bundle",
            v.resolve("v1.1.0-certificate/model.sig").toString(),
            "--cert-chain",
            v.resolve("keys/certificate/ca-cert.pem").toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  @Test
  void omsVerifyModel_sigstoreVector_refusesWithKeylessRule() {
    Path v = vectors();
    Run r =
        run(
            "oms",
            "verify-model",
            "--method",
            "sigstore",
            "--model-path",
            v.resolve("v1.1.0-sigstore").toString(),
            "--bundle",
            v.resolve("v1.1.0-sigstore/model.sig").toString());
    assertThat(r.code()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).contains("oms.keyless-trust-not-configured");
  }

  @Test
  void signWithCertificate_vectorKeyAndChain_verifiesWithTrustAnchor() throws Exception {
    Path v = vectors().resolve("keys/certificate");
    Run s =
        run(
            "sign",
            model.toString(),
            "--private-key",
            v.resolve("signing-key.pem").toString(),
            "--certificate",
            v.resolve("signing-key-cert.pem").toString(),
            "--chain",
            v.resolve("int-ca-cert.pem").toString());
    assertThat(s.code()).as(s.err()).isZero();
    Run r =
        run(
            "verify",
            model.toString(),
            "--signature",
            model.resolve("model.sig").toString(),
            "--trust-anchor",
            v.resolve("ca-cert.pem").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("CN=intermediate-ca");
  }
}
