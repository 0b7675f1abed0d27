package dev.modelseal.oms;

import dev.modelseal.digest.Digest;
import dev.modelseal.manifest.Manifest;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A model whose files matched a trusted OMS signature. Only {@link ModelVerifier} can create one
 * (the constructor is package-private), so code that accepts a {@code VerifiedModel} knows the
 * check ran and passed.
 */
public final class VerifiedModel {
  private final Path model;
  private final Manifest manifest;
  private final SignerIdentity signer;
  private final boolean legacyFormat;
  private final int fileCount;

  VerifiedModel(
      Path model, Manifest manifest, SignerIdentity signer, boolean legacyFormat, int fileCount) {
    this.model = Objects.requireNonNull(model, "model");
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.legacyFormat = legacyFormat;
    this.fileCount = fileCount;
  }

  /** The model folder or file that was verified. */
  public Path model() {
    return model;
  }

  /**
   * The signed manifest, in the signature's resource order; a single-file model's resource is named
   * by the file's basename even when the signature wrote {@code "."}.
   */
  public Manifest manifest() {
    return manifest;
  }

  /** The signed root digest (SHA-256 over the resource digests in manifest order). */
  public Digest rootDigest() {
    return manifest.rootDigest();
  }

  public SignerIdentity signer() {
    return signer;
  }

  /**
   * True when the signature is in the deprecated model-transparency 0.2 format (predicate {@code
   * Digests/v0.1}, faulty PAE); its files still matched. Re-sign such models.
   */
  public boolean legacyFormat() {
    return legacyFormat;
  }

  /** How many distinct files the verified resources cover. */
  public int fileCount() {
    return fileCount;
  }

  @Override
  public String toString() {
    return "VerifiedModel["
        + model
        + ", "
        + manifest.resources().size()
        + " resources, signer "
        + signer.describe()
        + (legacyFormat ? ", legacy format" : "")
        + "]";
  }
}
