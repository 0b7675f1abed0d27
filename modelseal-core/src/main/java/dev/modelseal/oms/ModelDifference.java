package dev.modelseal.oms;

import dev.modelseal.digest.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * One way a model differs from its signed manifest.
 *
 * @param kind missing, extra or changed
 * @param name the resource name (a relative path, or {@code path:start:end} for shards)
 * @param expected the signed digest (empty for {@link Kind#EXTRA})
 * @param actual the digest found on disk (empty for {@link Kind#MISSING})
 */
public record ModelDifference(
    Kind kind, String name, Optional<Digest> expected, Optional<Digest> actual) {

  /** How a resource differs. */
  public enum Kind {
    /** Signed, but not in the model. */
    MISSING,
    /** In the model, but not signed. */
    EXTRA,
    /** In both, with different content. */
    CHANGED;

    /** Lower-case name used in messages and JSON. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ModelDifference {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(actual, "actual");
  }

  /** One line: {@code changed: weights.bin (signed sha256:..., found sha256:...)}. */
  public String describe() {
    String name = VerificationException.printable(this.name);
    return switch (kind) {
      case MISSING ->
          "missing: " + name + " (signed " + expected.map(Digest::toString).orElse("?") + ")";
      case EXTRA ->
          "extra: "
              + name
              + " (not signed, found "
              + actual.map(Digest::toString).orElse("?")
              + ")";
      case CHANGED ->
          "changed: "
              + name
              + " (signed "
              + expected.map(Digest::toString).orElse("?")
              + ", found "
              + actual.map(Digest::toString).orElse("?")
              + ")";
    };
  }
}
