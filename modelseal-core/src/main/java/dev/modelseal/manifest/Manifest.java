package dev.modelseal.manifest;

import dev.modelseal.digest.Digest;
import dev.modelseal.digest.HashAlgorithm;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The digests of a model's resources and the serialization policy they were made under: exactly the
 * content of an OMS statement's predicate.
 *
 * @param method files or shards
 * @param shardSize the shard size for {@code shards}, empty for {@code files}
 * @param hashAlgorithm the hash used for every resource
 * @param resources the resources, in manifest order
 * @param ignorePaths the ignore paths recorded with the manifest (relative, {@code /}-separated)
 * @param allowSymlinks whether symlinks were followed when the manifest was made
 */
public record Manifest(
    SerializationMethod method,
    OptionalLong shardSize,
    HashAlgorithm hashAlgorithm,
    List<ResourceDigest> resources,
    List<String> ignorePaths,
    boolean allowSymlinks) {

  public Manifest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(shardSize, "shardSize");
    Objects.requireNonNull(hashAlgorithm, "hashAlgorithm");
    resources = List.copyOf(resources);
    ignorePaths = List.copyOf(ignorePaths);
    if ((method == SerializationMethod.SHARDS) != shardSize.isPresent()) {
      throw new IllegalArgumentException("shard size is required for, and only for, shards");
    }
  }

  /**
   * The root digest: SHA-256 over the concatenated raw digest bytes of the resources in manifest
   * order (OMS). Used as the in-toto subject digest.
   */
  public Digest rootDigest() {
    return rootDigestOf(resources);
  }

  /** SHA-256 over the concatenated raw digests of {@code resources}, in the given order. */
  public static Digest rootDigestOf(List<ResourceDigest> resources) {
    return Digest.sha256OfConcatenation(resources.stream().map(ResourceDigest::digest).toList());
  }
}
