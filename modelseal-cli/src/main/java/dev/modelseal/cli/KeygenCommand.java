package dev.modelseal.cli;

import dev.modelseal.oms.Curve;
import dev.modelseal.oms.KeyFiles;
import dev.modelseal.oms.SigningKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code modelseal keygen}: an ECDSA key pair for OMS signing. */
@Command(
    name = "keygen",
    description = {
      "Generate an ECDSA key pair for signing models.",
      "The private key is written as PKCS#8 PEM, created readable by its owner only"
          + " (encrypted when --password-file is given); the public key as PEM."
          + " Existing files are never overwritten."
    })
final class KeygenCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin DebugOption debug;

  @Option(
      names = "--private-key",
      required = true,
      paramLabel = "K.pem",
      description = "Private key file to create.")
  Path privateKey;

  @Option(
      names = "--public-key",
      required = true,
      paramLabel = "K.pub",
      description = "Public key file to create.")
  Path publicKey;

  @Option(
      names = "--curve",
      defaultValue = "p256",
      paramLabel = "CURVE",
      description = "p256 (default), p384 or p521.")
  String curve;

  @Option(
      names = "--password-file",
      paramLabel = "F",
      description = "Encrypt the private key with the password on the first line of F.")
  Path passwordFile;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    var out = spec.commandLine().getOut();
    Curve c = Curve.byCliName(curve).orElse(null);
    if (c == null) {
      return OmsOutcome.usage(err, "--curve must be p256, p384 or p521, not '" + curve + "'");
    }
    return OmsOutcome.run(
        err,
        debug.debug,
        () -> {
          try (PasswordFile password = PasswordFile.read(passwordFile)) {
            SigningKey key = SigningKey.generate(c);
            KeyFiles.writeKeyPair(key, privateKey, publicKey, password.password());
            out.println(
                "wrote "
                    + (password.given() ? "encrypted " : "")
                    + "private key "
                    + privateKey
                    + " (owner-only) and public key "
                    + publicKey);
            out.println("curve " + c + ", key hint " + KeyFiles.keyHint(key.publicKey()));
            out.flush();
            return ExitCode.OK;
          }
        });
  }
}
