package dev.modelseal.cli;

import dev.modelseal.ModelSealException;
import dev.modelseal.oms.IdentityPolicy;
import dev.modelseal.oms.KeyFiles;
import dev.modelseal.oms.SigstoreTrustRoot;
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
  record TrustAnchorFiles(List<Path> files, IdentityPolicy identity) implements Trust {
    TrustAnchorFiles {
      files = List.copyOf(files);
    }

    TrustAnchorFiles(List<Path> files) {
      this(files, IdentityPolicy.any());
    }

    @Override
    public TrustPolicy.Builder policy() throws IOException, ModelSealException {
      return TrustPolicy.trustAnchors(CertificateFiles.readAll(files))
          .certificateIdentity(identity);
    }
  }

  /**
   * Keyless signing (sigstore method): checked against the trusted root file with the identity
   * policy; without a root file the bundle is checked as far as it can be and then refused.
   */
  record Sigstore(Path trustedRoot, IdentityPolicy identity) implements Trust {
    Sigstore() {
      this(null, IdentityPolicy.any());
    }

    @Override
    public TrustPolicy.Builder policy() throws ModelSealException {
      return trustedRoot == null
          ? TrustPolicy.sigstore()
          : TrustPolicy.sigstore(SigstoreTrustRoot.read(trustedRoot), identity);
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
