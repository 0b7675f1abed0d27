package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.oms.IgnorePaths;
import dev.modelseal.oms.KeyFiles;
import dev.modelseal.oms.ModelSigner;
import dev.modelseal.oms.ModelVerifier;
import dev.modelseal.oms.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelseal oms}: the sign-model / verify-model entry point OMS implementations share for
 * cross-testing (OMS.md, "Interop entry point"). Only the exit status matters there.
 */
@Command(
    name = "oms",
    description = "OMS interoperability entry point (sign-model, verify-model).",
    subcommands = {OmsCommand.SignModel.class, OmsCommand.VerifyModel.class})
final class OmsCommand {
  private OmsCommand() {}

  /** Converts --ignore-paths (absolute, or model-relative) to model-relative paths. */
  static List<String> ignores(Path model, List<String> paths, PrintWriter err)
      throws ModelSealException {
    List<String> out = new ArrayList<>();
    for (String p : paths) {
      if (Path.of(p).isAbsolute()) {
        Optional<String> rel = IgnorePaths.relativeInside(model, Path.of(p));
        if (rel.isEmpty()) {
          // As the reference implementation does: a path outside the model excludes nothing.
          err.println("modelseal: warning: ignore path " + p + " is outside the model; skipped");
          continue;
        }
        out.add(IgnorePaths.resolve(model, p));
      } else {
        out.add(IgnorePaths.resolve(model, p));
      }
    }
    return out;
  }

  @Command(name = "sign-model", description = "Sign a model (key or certificate method).")
  static final class SignModel implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin DebugOption debug;

    @Option(names = "--method", required = true, description = "key, certificate or sigstore.")
    String method;

    @Option(
        names = "--model-path",
        required = true,
        paramLabel = "DIR",
        description = "The model folder (or file).")
    Path modelPath;

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

    @Option(
        names = "--ignore-paths",
        arity = "1..*",
        paramLabel = "ABS",
        description = "Absolute paths inside the model to leave out.")
    List<String> ignorePaths = new ArrayList<>();

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      switch (method) {
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
      if (method.equals("certificate") && signingCert == null) {
        return OmsOutcome.usage(err, "--method certificate needs --signing-cert");
      }
      try {
        ModelSigner.Builder b =
            ModelSigner.builder(KeyFiles.readPrivateKey(privateKey, null))
                .ignorePaths(ignores(modelPath, ignorePaths, err));
        if (method.equals("certificate")) {
          List<X509Certificate> intermediates = new ArrayList<>();
          for (Path p : certChain) {
            intermediates.addAll(KeyFiles.readCertificates(p));
          }
          b.certificate(KeyFiles.readCertificates(signingCert).get(0), intermediates);
        }
        b.build().sign(modelPath, outputBundle);
        return ExitCode.OK;
      } catch (ModelSealException e) {
        return OmsOutcome.report(err, e, debug.debug);
      } catch (IOException e) {
        return OmsOutcome.report(err, e, debug.debug);
      }
    }
  }

  @Command(
      name = "verify-model",
      description = "Verify a model (key, certificate or sigstore method).")
  static final class VerifyModel implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin DebugOption debug;

    @Option(names = "--method", required = true, description = "key, certificate or sigstore.")
    String method;

    @Option(
        names = "--model-path",
        required = true,
        paramLabel = "DIR",
        description = "The model folder (or file).")
    Path modelPath;

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
        names = "--ignore-paths",
        arity = "1..*",
        paramLabel = "ABS",
        description = "Absolute paths inside the model to leave out.")
    List<String> ignorePaths = new ArrayList<>();

    @Option(
        names = "--ignore-unsigned-files",
        description = "Tolerate files the signature does not list.")
    boolean ignoreUnsignedFiles;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      try {
        TrustPolicy.Builder b;
        switch (method) {
          case "key" -> {
            if (publicKey == null) {
              return OmsOutcome.usage(err, "--method key needs --public-key");
            }
            b = TrustPolicy.publicKey(KeyFiles.readPublicKey(publicKey));
          }
          case "certificate" -> {
            if (certChain.isEmpty()) {
              return OmsOutcome.usage(err, "--method certificate needs --cert-chain");
            }
            List<X509Certificate> anchors = new ArrayList<>();
            for (Path p : certChain) {
              anchors.addAll(KeyFiles.readCertificates(p));
            }
            b = TrustPolicy.trustAnchors(anchors);
          }
          case "sigstore" -> b = TrustPolicy.sigstore();
          default -> {
            return OmsOutcome.usage(err, "--method must be key, certificate or sigstore");
          }
        }
        b.ignorePaths(ignores(modelPath, ignorePaths, err));
        if (ignoreUnsignedFiles) {
          b.ignoreUnsignedFiles();
        }
        new ModelVerifier(b.build()).verify(modelPath, bundle);
        spec.commandLine().getOut().println("verified " + modelPath);
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
      } catch (ModelSealException e) {
        return OmsOutcome.report(err, e, debug.debug);
      } catch (IOException e) {
        return OmsOutcome.report(err, e, debug.debug);
      }
    }
  }
}
