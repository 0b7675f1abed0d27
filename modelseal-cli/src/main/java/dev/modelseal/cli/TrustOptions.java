package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.oms.KeyFiles;
import dev.modelseal.oms.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code verify} and {@code oms verify-model} both turn into a trust policy. Their flags carry
 * it under other names (ARCHITECTURE.md "Command line", OMS.md "Interop entry point"), so each
 * command keeps its own options and builds this from them.
 */
record TrustOptions(
    Trust trust, IgnoreArguments ignores, boolean ignoreUnsignedFiles, boolean allowSymlinks) {

  /** What the signer is trusted by: one per OMS signing method. */
  sealed interface Trust {
    TrustPolicy.Builder policy() throws IOException, ModelSealException;
  }

  /** The signer's public key (key method). */
  record PublicKeyFile(Path file) implements Trust {
    @Override
    public TrustPolicy.Builder policy() throws IOException, ModelSealException {
      return TrustPolicy.publicKey(KeyFiles.readPublicKey(file));
    }
  }

  /** The CA certificates to trust (certificate method). */
  record TrustAnchorFiles(List<Path> files) implements Trust {
    TrustAnchorFiles {
      files = List.copyOf(files);
    }

    @Override
    public TrustPolicy.Builder policy() throws IOException, ModelSealException {
      return TrustPolicy.trustAnchors(CertificateFiles.readAll(files));
    }
  }

  /** Keyless signing (sigstore method). */
  record Sigstore() implements Trust {
    @Override
    public TrustPolicy.Builder policy() {
      return TrustPolicy.sigstore();
    }
  }

  /** Reads the trust material, then resolves the ignore paths (warnings go to {@code err}). */
  TrustPolicy policy(Path model, PrintWriter err) throws IOException, ModelSealException {
    TrustPolicy.Builder b = trust.policy();
    b.ignorePaths(ignores.resolve(model, err));
    if (ignoreUnsignedFiles) {
      b.ignoreUnsignedFiles();
    }
    if (allowSymlinks) {
      b.allowSymlinks();
    }
    return b.build();
  }
}
