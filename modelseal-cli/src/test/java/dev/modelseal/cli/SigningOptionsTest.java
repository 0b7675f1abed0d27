package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelseal.oms.KeyFiles;
import dev.modelseal.oms.ModelSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The option handling keygen, sign, verify and the oms interop commands share (key and certificate
 * files, password files, ignore paths, symlinks, outcome reporting), through {@link Main#run}.
 */
class SigningOptionsTest {
  /** An encrypted key costs 600k PBKDF2 rounds: made once, for every test. */
  @TempDir static Path keys;

  @TempDir Path tmp;
  private Path model;

  private static Path key;
  private static Path pub;
  private static Path encryptedKey;
  private static Path encryptedPub;

  @BeforeAll
  static void keys() throws Exception {
    key = keys.resolve("k.pem");
    pub = keys.resolve("k.pub");
    ok(CliRun.of("keygen", "--private-key", key.toString(), "--public-key", pub.toString()));
    Path pw = Files.writeString(keys.resolve("pw"), "correct horse\n");
    encryptedKey = keys.resolve("e.pem");
    encryptedPub = keys.resolve("e.pub");
    CliRun r =
        ok(
            CliRun.of(
                "keygen",
                "--private-key",
                encryptedKey.toString(),
                "--public-key",
                encryptedPub.toString(),
                "--password-file",
                pw.toString()));
    assertThat(r.out()).startsWith("wrote encrypted private key " + encryptedKey + " (owner-only)");
  }

  @BeforeEach
  void model() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.write(model.resolve("w.bin"), new byte[] {1, 2, 3});
  }

  private static CliRun ok(CliRun r) {
    assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.OK);
    return r;
  }

  /** Asserts exit 2 and exactly one line on stderr, which is returned. */
  private static String cannotRunOneLine(CliRun r) {
    assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err().lines()).as(r.err()).hasSize(1);
    return r.err().lines().findFirst().orElseThrow();
  }

  private CliRun sign(Path privateKey, String... extra) {
    return CliRun.of(
        concat(
            new String[] {"sign", model.toString(), "--private-key", privateKey.toString()},
            extra));
  }

  private CliRun signEncrypted(Path passwordFile, Path signature) {
    return sign(
        encryptedKey,
        "--password-file",
        passwordFile.toString(),
        "--signature",
        signature.toString());
  }

  /** keygen into tmp/a.pem and tmp/a.pub. */
  private CliRun keygen(String... extra) {
    return CliRun.of(
        concat(
            new String[] {
              "keygen",
              "--private-key",
              tmp.resolve("a.pem").toString(),
              "--public-key",
              tmp.resolve("a.pub").toString()
            },
            extra));
  }

  private CliRun verify(Path signature, String... extra) {
    return verifyWith(pub, signature, extra);
  }

  private CliRun verifyWith(Path publicKey, Path signature, String... extra) {
    String[] base = {
      "verify",
      model.toString(),
      "--signature",
      signature.toString(),
      "--public-key",
      publicKey.toString()
    };
    return CliRun.of(concat(base, extra));
  }

  private CliRun omsSign(Path bundle, String... extra) {
    String[] base = {
      "oms", "sign-model", "--model-path", model.toString(), "--output-bundle", bundle.toString()
    };
    return CliRun.of(concat(base, extra));
  }

  private CliRun omsVerify(Path bundle, String... extra) {
    String[] base = {
      "oms", "verify-model", "--model-path", model.toString(), "--bundle", bundle.toString()
    };
    return CliRun.of(concat(base, extra));
  }

  private static String[] concat(String[] base, String[] extra) {
    String[] args = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return args;
  }

  // --- password files (keygen, sign) -----------------------------------------------------------

  @Test
  void sign_passwordFileWithOrWithoutLineEnd_readsTheFirstLineOnly() throws Exception {
    // keygen read "correct horse\n": the same password without the newline, with CRLF, or followed
    // by more lines must all open the key.
    for (String text :
        List.of("correct horse", "correct horse\r\n", "correct horse\nsecond line\n")) {
      Path pw = Files.writeString(tmp.resolve("pw"), text);
      Path sig = tmp.resolve("s.sig");
      CliRun s = ok(signEncrypted(pw, sig));
      assertThat(s.out()).startsWith("signed " + model + ": 2 resources, root sha256:");
      ok(verifyWith(encryptedPub, sig));
      Files.delete(sig);
    }
  }

  @Test
  void sign_wrongPassword_exitsTwoNamingRule() throws Exception {
    Path pw = Files.writeString(tmp.resolve("pw"), "wrong horse\n");
    assertThat(cannotRunOneLine(signEncrypted(pw, tmp.resolve("s.sig"))))
        .startsWith("modelseal: [key.password-wrong] " + encryptedKey);
    assertThat(tmp.resolve("s.sig")).doesNotExist();
  }

  @Test
  void sign_missingPasswordFile_exitsTwoWithOneLine() {
    Path missing = tmp.resolve("no-such-pw");
    assertThat(cannotRunOneLine(signEncrypted(missing, tmp.resolve("s.sig"))))
        .isEqualTo("modelseal: " + missing + ": no such file or directory");
  }

  @Test
  void sign_emptyPasswordFile_exitsTwoNamingRule() throws Exception {
    Path pw = Files.writeString(tmp.resolve("pw"), "\nsecond line\n");
    assertThat(cannotRunOneLine(signEncrypted(pw, tmp.resolve("s.sig"))))
        .isEqualTo(
            "modelseal: [key.password-empty] " + pw + ": the password file's first line is empty");
  }

  @Test
  void sign_passwordFileWithUnencryptedKey_signs() throws Exception {
    Path pw = Files.writeString(tmp.resolve("pw"), "unused\n");
    ok(sign(key, "--password-file", pw.toString()));
    ok(verify(model.resolve("model.sig")));
  }

  @Test
  void keygen_missingPasswordFile_exitsTwoWithOneLineAndWritesNothing() {
    Path missing = tmp.resolve("no-such-pw");
    CliRun r = keygen("--password-file", missing.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo("modelseal: " + missing + ": no such file or directory");
    assertThat(r.out()).isEmpty();
    assertThat(tmp.resolve("a.pem")).doesNotExist();
    assertThat(tmp.resolve("a.pub")).doesNotExist();
  }

  @Test
  void keygen_passwordFileNotUtf8_exitsTwoNamingRule() throws Exception {
    Path pw = Files.write(tmp.resolve("pw"), new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
    CliRun r = keygen("--password-file", pw.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo("modelseal: [key.password-malformed] " + pw + ": password is not UTF-8 text");
    assertThat(tmp.resolve("a.pem")).doesNotExist();
  }

  @Test
  void keygen_emptyPasswordFile_exitsTwoNamingRule() throws Exception {
    Path pw = Files.writeString(tmp.resolve("pw"), "");
    CliRun r = keygen("--password-file", pw.toString());
    assertThat(cannotRunOneLine(r)).startsWith("modelseal: [key.password-empty] " + pw);
  }

  @Test
  void keygen_noPasswordFile_saysNotEncrypted() {
    CliRun r = ok(keygen());
    assertThat(r.out())
        .startsWith(
            "wrote private key "
                + tmp.resolve("a.pem")
                + " (owner-only) and public key "
                + tmp.resolve("a.pub")
                + "\ncurve P256, key hint ");
  }

  // --- key and certificate files ---------------------------------------------------------------

  @Test
  void sign_missingPrivateKey_exitsTwoWithOneLine() {
    Path missing = tmp.resolve("none.pem");
    assertThat(cannotRunOneLine(sign(missing)))
        .isEqualTo("modelseal: " + missing + ": no such file or directory");
  }

  @Test
  void sign_missingPrivateKeyWithDebug_printsStackTrace() {
    CliRun r = sign(tmp.resolve("none.pem"), "--debug");
    assertThat(r.status()).isEqualTo(ExitCode.CANNOT_RUN);
    assertThat(r.err()).contains("java.nio.file.NoSuchFileException");
  }

  @Test
  void sign_certificateNotACertificate_exitsTwoNamingRule() {
    assertThat(cannotRunOneLine(sign(key, "--certificate", pub.toString())))
        .isEqualTo("modelseal: [cert.malformed] " + pub + ": no PEM certificate found");
  }

  @Test
  void sign_chainWithoutCertificate_exitsTwo() {
    assertThat(cannotRunOneLine(sign(key, "--chain", pub.toString())))
        .isEqualTo("modelseal: --chain needs --certificate");
  }

  @Test
  void sign_shardSizeNotPositive_exitsTwo() {
    assertThat(cannotRunOneLine(sign(key, "--shard-size", "0")))
        .isEqualTo("modelseal: --shard-size must be a positive number of bytes");
  }

  @Test
  void signVerify_shardSize_signsShardsMethod() {
    Path sig = tmp.resolve("s.sig");
    CliRun s = ok(sign(key, "--shard-size", "2", "--signature", sig.toString()));
    // config.json (2 bytes) is one shard, w.bin (3 bytes) two.
    assertThat(s.out()).contains(": 3 resources, root sha256:").endsWith("signature " + sig + "\n");
    ok(verify(sig));
  }

  @Test
  void verify_missingPublicKey_exitsTwoWithOneLine() {
    Path missing = tmp.resolve("none.pub");
    CliRun r =
        CliRun.of(
            "verify",
            model.toString(),
            "--signature",
            tmp.resolve("s.sig").toString(),
            "--public-key",
            missing.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo("modelseal: " + missing + ": no such file or directory");
  }

  @Test
  void verify_trustAnchorNotACertificate_exitsTwoNamingRule() {
    CliRun r =
        CliRun.of(
            "verify",
            model.toString(),
            "--signature",
            tmp.resolve("s.sig").toString(),
            "--trust-anchor",
            pub.toString());
    assertThat(cannotRunOneLine(r)).startsWith("modelseal: [cert.malformed] " + pub);
  }

  @Test
  void verify_bothPublicKeyAndTrustAnchor_exitsTwo() {
    CliRun r = verify(tmp.resolve("s.sig"), "--trust-anchor", pub.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo("modelseal: give one of --public-key, --trust-anchor or --trusted-root");
  }

  // --- ignore paths and symlinks ---------------------------------------------------------------

  @Test
  void verify_ignoreOutsideModel_exitsTwoNamingRule() throws Exception {
    ok(sign(key));
    CliRun r = verify(model.resolve("model.sig"), "--ignore", tmp.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo(
            "modelseal: [tree.bad-ignore-path] ignore path "
                + tmp
                + " is not inside the model "
                + model);
  }

  @Test
  void sign_ignoreAbsoluteInsideModel_leavesItUnsigned() throws Exception {
    Path sig = tmp.resolve("s.sig");
    CliRun s =
        ok(sign(key, "--ignore", model.resolve("w.bin").toString(), "--signature", sig.toString()));
    assertThat(s.out()).contains(": 1 resources, root sha256:");
    // The signature records the ignore path, so verify leaves the file out too.
    Files.write(model.resolve("w.bin"), new byte[] {9});
    ok(verify(sig));
  }

  @Test
  void verify_ignoreAbsoluteOrRelative_toleratesThatExtraFile() throws Exception {
    Path sig = tmp.resolve("s.sig");
    ok(sign(key, "--signature", sig.toString()));
    Files.writeString(model.resolve("new.txt"), "x");
    assertThat(verify(sig).status()).isEqualTo(ExitCode.CHECK_FAILED);
    ok(verify(sig, "--ignore", model.resolve("new.txt").toString()));
    ok(verify(sig, "--ignore", "new.txt"));
  }

  @Test
  void verify_allowSymlinks_acceptsSignatureMadeFollowingLinks() throws Exception {
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("w.bin"));
    Path sig = tmp.resolve("s.sig");
    // The CLI's sign never follows links; such a signature comes from other OMS signers.
    ModelSigner.builder(KeyFiles.readPrivateKey(key, null))
        .allowSymlinks(true)
        .build()
        .sign(model, sig);
    CliRun refused = verify(sig);
    assertThat(refused.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(refused.err()).contains("allow_symlinks");
    CliRun accepted = ok(verify(sig, "--allow-symlinks"));
    assertThat(accepted.out()).startsWith("verified " + model + "\n");
  }

  @Test
  void omsSignModel_ignorePathOutsideModel_warnsAndSkips() throws Exception {
    Path bundle = tmp.resolve("b.sig");
    CliRun s =
        ok(
            omsSign(
                bundle,
                "--method",
                "key",
                "--private-key",
                key.toString(),
                "--ignore-paths",
                tmp.toString(),
                model.resolve("w.bin").toString()));
    assertThat(s.err())
        .isEqualTo("modelseal: warning: ignore path " + tmp + " is outside the model; skipped\n");
    assertThat(s.out()).isEmpty();
    Files.write(model.resolve("w.bin"), new byte[] {9});
    CliRun v = ok(omsVerify(bundle, "--method", "key", "--public-key", pub.toString()));
    assertThat(v.out()).isEqualTo("verified " + model + "\n");
  }

  @Test
  void omsVerifyModel_ignorePathOutsideModel_warnsAndSkips() throws Exception {
    Path bundle = tmp.resolve("b.sig");
    ok(omsSign(bundle, "--method", "key", "--private-key", key.toString()));
    Files.writeString(model.resolve("new.txt"), "x");
    assertThat(omsVerify(bundle, "--method", "key", "--public-key", pub.toString()).status())
        .isEqualTo(ExitCode.CHECK_FAILED);
    CliRun v =
        ok(
            omsVerify(
                bundle,
                "--method",
                "key",
                "--public-key",
                pub.toString(),
                "--ignore-paths",
                tmp.toString(),
                model.resolve("new.txt").toString()));
    assertThat(v.err())
        .isEqualTo("modelseal: warning: ignore path " + tmp + " is outside the model; skipped\n");
    assertThat(v.out()).isEqualTo("verified " + model + "\n");
  }

  @Test
  void omsSignModel_relativeIgnorePath_isModelRelative() throws Exception {
    Path bundle = tmp.resolve("b.sig");
    ok(
        omsSign(
            bundle, "--method", "key", "--private-key", key.toString(), "--ignore-paths", "w.bin"));
    Files.write(model.resolve("w.bin"), new byte[] {9});
    ok(omsVerify(bundle, "--method", "key", "--public-key", pub.toString()));
  }

  @Test
  void omsSignModel_globIgnorePath_exitsTwoNamingRule() {
    CliRun r =
        omsSign(
            tmp.resolve("b.sig"),
            "--method",
            "key",
            "--private-key",
            key.toString(),
            "--ignore-paths",
            "*.bin");
    assertThat(cannotRunOneLine(r))
        .startsWith("modelseal: [tree.bad-ignore-path] ignore path '*.bin'");
  }

  @Test
  void omsVerifyModel_ignoreUnsignedFiles_toleratesExtraFile() throws Exception {
    Path bundle = tmp.resolve("b.sig");
    ok(omsSign(bundle, "--method", "key", "--private-key", key.toString()));
    Files.writeString(model.resolve("new.txt"), "x");
    CliRun strict = omsVerify(bundle, "--method", "key", "--public-key", pub.toString());
    assertThat(strict.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(strict.err()).startsWith("modelseal: [oms.model-mismatch] extra: new.txt");
    ok(
        omsVerify(
            bundle, "--method", "key", "--public-key", pub.toString(), "--ignore-unsigned-files"));
  }

  // --- oms interop: method and key options -----------------------------------------------------

  @Test
  void omsSignModel_noPrivateKey_exitsTwo() {
    assertThat(cannotRunOneLine(omsSign(tmp.resolve("b.sig"), "--method", "key")))
        .isEqualTo("modelseal: --private-key is required");
  }

  @Test
  void omsSignModel_certificateMethodWithoutSigningCert_exitsTwo() {
    CliRun r =
        omsSign(tmp.resolve("b.sig"), "--method", "certificate", "--private-key", key.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo("modelseal: --method certificate needs --signing-cert");
  }

  @Test
  void omsSignModel_unknownMethod_exitsTwo() {
    assertThat(cannotRunOneLine(omsSign(tmp.resolve("b.sig"), "--method", "gpg")))
        .isEqualTo("modelseal: --method must be key, certificate or sigstore");
  }

  @Test
  void omsSignModel_encryptedKey_exitsTwoNamingRule() {
    // The interop entry point has no --password-file (OMS.md): an encrypted key cannot be used.
    CliRun r =
        omsSign(tmp.resolve("b.sig"), "--method", "key", "--private-key", encryptedKey.toString());
    assertThat(cannotRunOneLine(r))
        .startsWith("modelseal: [key.password-required] " + encryptedKey);
  }

  @Test
  void omsSignModel_missingPrivateKey_exitsTwoWithOneLine() {
    Path missing = tmp.resolve("none.pem");
    CliRun r =
        omsSign(tmp.resolve("b.sig"), "--method", "key", "--private-key", missing.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo("modelseal: " + missing + ": no such file or directory");
  }

  @Test
  void omsSignModel_keyMethod_leavesCertificateFilesUnread() {
    // Only --method certificate reads --signing-cert and --cert-chain.
    ok(
        omsSign(
            tmp.resolve("b.sig"),
            "--method",
            "key",
            "--private-key",
            key.toString(),
            "--signing-cert",
            tmp.resolve("none.pem").toString(),
            "--cert-chain",
            tmp.resolve("none2.pem").toString()));
  }

  @Test
  void signAndOmsSignModel_certificateAndChainBothMissing_reportTheCertificateFirst() {
    Path cert = tmp.resolve("none-cert.pem");
    Path chain = tmp.resolve("none-chain.pem");
    String expected = "modelseal: " + cert + ": no such file or directory";
    assertThat(
            cannotRunOneLine(
                sign(key, "--certificate", cert.toString(), "--chain", chain.toString())))
        .isEqualTo(expected);
    assertThat(
            cannotRunOneLine(
                omsSign(
                    tmp.resolve("b.sig"),
                    "--method",
                    "certificate",
                    "--private-key",
                    key.toString(),
                    "--signing-cert",
                    cert.toString(),
                    "--cert-chain",
                    chain.toString())))
        .isEqualTo(expected);
  }

  @Test
  void omsVerifyModel_keyMethodWithoutPublicKey_exitsTwo() {
    assertThat(cannotRunOneLine(omsVerify(tmp.resolve("b.sig"), "--method", "key")))
        .isEqualTo("modelseal: --method key needs --public-key");
  }

  @Test
  void omsVerifyModel_certificateMethodWithoutCertChain_exitsTwo() {
    assertThat(cannotRunOneLine(omsVerify(tmp.resolve("b.sig"), "--method", "certificate")))
        .isEqualTo("modelseal: --method certificate needs --cert-chain");
  }

  @Test
  void omsVerifyModel_unknownMethod_exitsTwo() {
    assertThat(cannotRunOneLine(omsVerify(tmp.resolve("b.sig"), "--method", "gpg")))
        .isEqualTo("modelseal: --method must be key, certificate or sigstore");
  }

  @Test
  void omsVerifyModel_missingPublicKey_exitsTwoWithOneLine() {
    Path missing = tmp.resolve("none.pub");
    CliRun r =
        omsVerify(tmp.resolve("b.sig"), "--method", "key", "--public-key", missing.toString());
    assertThat(cannotRunOneLine(r))
        .isEqualTo("modelseal: " + missing + ": no such file or directory");
  }

  @Test
  void omsVerifyModel_sigstoreMethodOnKeyBundle_exitsOneNamingRule() throws Exception {
    Path bundle = tmp.resolve("b.sig");
    ok(omsSign(bundle, "--method", "key", "--private-key", key.toString()));
    CliRun r = omsVerify(bundle, "--method", "sigstore");
    assertThat(r.status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(r.err()).startsWith("modelseal: [oms.method-mismatch]");
  }

  @Test
  void omsSignModelCertificate_vectorChain_verifiesWithVerifyAndVerifyModel() {
    String shared = System.getProperty("modelseal.shared");
    Path v =
        shared == null ? null : Path.of(shared, "vectors/oms/model-transparency/keys/certificate");
    assumeTrue(v != null && Files.isDirectory(v), "shared OMS vectors absent: skipping");
    Path bundle = tmp.resolve("b.sig");
    ok(
        omsSign(
            bundle,
            "--method",
            "certificate",
            "--private-key",
            v.resolve("signing-key.pem").toString(),
            "--signing-cert",
            v.resolve("signing-key-cert.pem").toString(),
            "--cert-chain",
            v.resolve("int-ca-cert.pem").toString()));
    // Verifying to the root proves the intermediate went into the bundle.
    CliRun r =
        ok(
            CliRun.of(
                "verify",
                model.toString(),
                "--signature",
                bundle.toString(),
                "--trust-anchor",
                v.resolve("ca-cert.pem").toString()));
    assertThat(r.out()).contains("CN=intermediate-ca");
    ok(
        omsVerify(
            bundle,
            "--method",
            "certificate",
            "--cert-chain",
            v.resolve("ca-cert.pem").toString()));
  }

  // --- the flags themselves (ARCHITECTURE.md "Command line", OMS.md "Interop entry point") -----

  private static Map<String, String> options(CommandLine cl) {
    Map<String, String> out = new TreeMap<>();
    for (OptionSpec o : cl.getCommandSpec().options()) {
      out.put(
          String.join("|", o.names()),
          (o.required() ? "required " : "")
              + o.paramLabel()
              + " "
              + o.arity()
              + " "
              + String.join(" ", o.description()));
    }
    return out;
  }

  @Test
  void commandLine_signingCommands_keepTheirFlags() {
    CommandLine main = Main.commandLine();
    Map<String, CommandLine> oms = main.getSubcommands().get("oms").getSubcommands();
    String common = "-h|--help -V|--version --debug";
    assertThat(String.join(" ", options(main.getSubcommands().get("keygen")).keySet()))
        .isEqualTo(sorted(common + " --private-key --public-key --curve --password-file"));
    assertThat(String.join(" ", options(main.getSubcommands().get("sign")).keySet()))
        .isEqualTo(
            sorted(
                common
                    + " --private-key --password-file --certificate --chain --ignore --signature"
                    + " --shard-size"));
    assertThat(String.join(" ", options(main.getSubcommands().get("verify")).keySet()))
        .isEqualTo(
            sorted(
                common
                    + " --signature --public-key --trust-anchor --ignore --ignore-unsigned-files"
                    + " --allow-symlinks --json --trusted-root|--trust-config --identity --identity-regex"
                    + " --identity-provider --certificate-identity --certificate-identity-regex --copy-to"));
    assertThat(String.join(" ", options(oms.get("sign-model")).keySet()))
        .isEqualTo(
            sorted(
                common
                    + " --method --model-path --output-bundle --private-key --signing-cert"
                    + " --cert-chain --ignore-paths"));
    assertThat(String.join(" ", options(oms.get("verify-model")).keySet()))
        .isEqualTo(
            sorted(
                common
                    + " --method --model-path --bundle --public-key --cert-chain --ignore-paths"
                    + " --ignore-unsigned-files --trust-config|--trust_config|--trusted-root --identity"
                    + " --identity-provider|--identity_provider"));
    assertThat(options(main.getSubcommands().get("sign")).get("--private-key"))
        .isEqualTo("required K.pem 1 EC private key (PKCS#8 or SEC1 PEM).");
    // Optional in the interop command, so that --method sigstore gets its own message first.
    assertThat(options(oms.get("sign-model")).get("--private-key"))
        .isEqualTo("K.pem 1 EC private key (PKCS#8 or SEC1 PEM).");
    assertThat(options(oms.get("sign-model")).get("--ignore-paths"))
        .isEqualTo("ABS 1..* Absolute paths inside the model to leave out.");
    assertThat(options(main.getSubcommands().get("verify")).get("--ignore"))
        .startsWith("P 1 Also ignore P");
  }

  private static String sorted(String names) {
    return String.join(" ", new java.util.TreeSet<>(List.of(names.split(" "))));
  }
}
