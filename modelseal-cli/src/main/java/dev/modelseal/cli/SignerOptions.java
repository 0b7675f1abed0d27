package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.oms.KeyFiles;
import dev.modelseal.oms.ModelSigner;
import dev.modelseal.oms.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code sign} and {@code oms sign-model} both turn into a signer. Their flags carry it under
 * other names (ARCHITECTURE.md "Command line", OMS.md "Interop entry point"), so each command keeps
 * its own options and builds this from them.
 *
 * @param passwordFile the private key's password file, or {@code null}
 * @param certificate the signing certificate (certificate method), or {@code null} for the key
 *     method; {@code chain} is read only with it
 */
record SignerOptions(
    Path privateKey,
    Path passwordFile,
    Path certificate,
    List<Path> chain,
    IgnoreArguments ignores) {

  SignerOptions {
    chain = List.copyOf(chain);
  }

  /**
   * Reads the key, resolves the ignore paths, then reads the certificates: the first problem found
   * in that order is the one reported.
   */
  ModelSigner.Builder builder(Path model, PrintWriter err) throws IOException, ModelSealException {
    SigningKey key;
    try (PasswordFile password = PasswordFile.read(passwordFile)) {
      key = KeyFiles.readPrivateKey(privateKey, password.password());
    }
    ModelSigner.Builder b = ModelSigner.builder(key).ignorePaths(ignores.resolve(model, err));
    if (certificate != null) {
      b.certificate(KeyFiles.readCertificates(certificate).get(0), CertificateFiles.readAll(chain));
    }
    return b;
  }
}
