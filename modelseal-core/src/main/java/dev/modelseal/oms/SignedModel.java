package dev.modelseal.oms;

import dev.modelseal.digest.Digest;
import dev.modelseal.manifest.Manifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link ModelSigner#sign} wrote.
 *
 * @param signature the bundle file
 * @param manifest the signed manifest (resources in UTF-8 byte order of their names)
 * @param method key or certificate
 */
public record SignedModel(Path signature, Manifest manifest, TrustPolicy.Method method) {
  public SignedModel {
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(method, "method");
  }

  /** The root digest recorded as the statement's subject. */
  public Digest rootDigest() {
    return manifest.rootDigest();
  }
}
