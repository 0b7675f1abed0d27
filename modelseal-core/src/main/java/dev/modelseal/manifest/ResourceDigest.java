package dev.modelseal.manifest;

import dev.modelseal.digest.Digest;
import java.util.Objects;

/**
 * One digested resource of a manifest.
 *
 * @param name a relative {@code /}-separated path ({@code files} method) or {@code path:start:end}
 *     ({@code shards} method)
 * @param digest the resource's digest
 */
public record ResourceDigest(String name, Digest digest) {
  public ResourceDigest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(digest, "digest");
  }
}
