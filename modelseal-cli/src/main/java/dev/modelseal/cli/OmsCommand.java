package dev.modelseal.cli;

import dev.modelseal.oms.IdentityPolicy;
import dev.modelseal.oms.ModelVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelseal oms}: the sign-model / verify-model entry point OMS implementations share for
 * cross-testing (OMS.md, "Interop entry point"). Only the exit status matters there.
 *
 * <p>The flags are OMS.md's, not {@code sign}'s and {@code verify}'s: the same key, certificate and
 * ignore options under the names other implementations use, turned into the same {@link
 * SignerOptions} and {@link TrustOptions}. What differs on purpose is said where it is built.
 */
@Command(
    name = "oms",
    description = "OMS interoperability entry point (sign-model, verify-model).",
    subcommands = {OmsCommand.SignModel.class, OmsCommand.VerifyModel.class})
final class OmsCommand {
  private OmsCommand() {}

  @Command(name = "sign-model", description = "Sign a model (key or certificate method).")
  static final class SignModel implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin DebugOption debug;

    @Mixin OmsModelOptions oms;

    @Option(
        names = "--output-bundle",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the OMS bundle.")
    Path outputBundle;

    @Option(
        names = "--private-key",
        paramLabel = "K.pem",
        description = "EC private key (PKCS#8 or SEC1 PEM).")
    Path privateKey;

    @Option(
        names = "--signing-cert",
        paramLabel = "C.pem",
        description = "Signing certificate (certificate method).")
    Path signingCert;

    @Option(
        names = "--cert-chain",
        arity = "1..*",
        paramLabel = "I.pem",
        description = "Intermediate certificates after the signing certificate.")
    List<Path> certChain = new ArrayList<>();

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      switch (oms.method) {
        case "key", "certificate" -> {}
        case "sigstore" -> {
          return OmsOutcome.usage(
              err, "--method sigstore: keyless (Sigstore) signing is not supported yet");
        }
        default -> {
          return OmsOutcome.usage(err, "--method must be key, certificate or sigstore");
        }
      }
      if (privateKey == null) {
        return OmsOutcome.usage(err, "--private-key is required");
      }
      if (oms.method.equals("certificate") && signingCert == null) {
        return OmsOutcome.usage(err, "--method certificate needs --signing-cert");
      }
      SignerOptions signer =
          new SignerOptions(
              privateKey,
              null, // no --password-file in the interop command: an encrypted key cannot be used
              oms.method.equals("certificate") ? signingCert : null,
              certChain,
              oms.ignores());
      return OmsOutcome.run(
          err,
          debug.debug,
          () -> {
            signer.builder(oms.modelPath, err).build().sign(oms.modelPath, outputBundle);
            return ExitCode.OK;
          });
    }
  }

  @Command(
      name = "verify-model",
      description = "Verify a model (key, certificate or sigstore method).")
  static final class VerifyModel implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin DebugOption debug;

    @Mixin OmsModelOptions oms;

    @Option(
        names = "--bundle",
        required = true,
        paramLabel = "FILE",
        description = "The OMS bundle to verify.")
    Path bundle;

    @Option(
        names = "--public-key",
        paramLabel = "K.pub",
        description = "Signer's public key (key method).")
    Path publicKey;

    @Option(
        names = "--cert-chain",
        arity = "1..*",
        paramLabel = "CA.pem",
        description = "Trusted CA certificates (certificate method).")
    List<Path> certChain = new ArrayList<>();

    @Option(
        names = "--ignore-unsigned-files",
        description = "Tolerate files the signature does not list.")
    boolean ignoreUnsignedFiles;

    @Option(
        names = {"--trust-config", "--trust_config", "--trusted-root"},
        paramLabel = "FILE",
        description = "Sigstore ClientTrustConfig or trusted_root.json (sigstore method).")
    Path trustConfig;

    @Option(
        names = "--identity",
        paramLabel = "SAN",
        description = "The signer's identity (sigstore method).")
    String identity;

    @Option(
        names = {"--identity-provider", "--identity_provider"},
        paramLabel = "URL",
        description = "The signer's OIDC issuer (sigstore method).")
    String identityProvider;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      TrustOptions.Trust trust;
      switch (oms.method) {
        case "key" -> {
          if (publicKey == null) {
            return OmsOutcome.usage(err, "--method key needs --public-key");
          }
          trust = new TrustOptions.PublicKeyFile(publicKey);
        }
        case "certificate" -> {
          if (certChain.isEmpty()) {
            return OmsOutcome.usage(err, "--method certificate needs --cert-chain");
          }
          trust = new TrustOptions.TrustAnchorFiles(certChain);
        }
        case "sigstore" -> {
          if (trustConfig == null) {
            // No default root is baked in and nothing is fetched: the bundle is checked as far
            // as it can be, then refused (oms.keyless-trust-not-configured).
            trust = new TrustOptions.Sigstore();
            break;
          }
          String problem =
              IdentityArguments.problem(true, false, identity, null, identityProvider, null, null);
          if (problem != null) {
            return OmsOutcome.usage(err, problem);
          }
          trust =
              new TrustOptions.Sigstore(
                  trustConfig, IdentityPolicy.of(identity, null, identityProvider));
        }
        default -> {
          return OmsOutcome.usage(err, "--method must be key, certificate or sigstore");
        }
      }
      TrustOptions options =
          new TrustOptions(
              trust,
              oms.ignores(),
              ignoreUnsignedFiles,
              false); // no --allow-symlinks in the interop command (OMS.md)
      return OmsOutcome.run(
          err,
          debug.debug,
          () -> {
            new ModelVerifier(options.policy(oms.modelPath, err)).verify(oms.modelPath, bundle);
            spec.commandLine().getOut().println("verified " + oms.modelPath);
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
          });
    }
  }
}
