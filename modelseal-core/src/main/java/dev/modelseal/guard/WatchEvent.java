package dev.modelseal.guard;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing {@link ModelWatch} saw.
 *
 * @param kind what happened
 * @param file the model-relative file (or resource name) concerned; {@code .} for the whole model
 * @param rule the failed rule for {@link Kind#TAMPERED} (e.g. {@code oms.model-mismatch}), empty
 *     otherwise
 * @param difference for {@code oms.model-mismatch}: {@code changed}, {@code missing} or {@code
 *     extra}; otherwise empty
 * @param detail a one-line explanation for a tamper without a file difference, empty otherwise
 * @param time when it was seen
 */
public record WatchEvent(
    Kind kind,
    String file,
    Optional<String> rule,
    Optional<String> difference,
    Optional<String> detail,
    Instant time) {

  /** The events, in the order a change goes through them. */
  public enum Kind {
    /** A verification of the whole model passed. */
    VERIFIED,
    /** The file system reported a change to a file of the model; a re-verification follows. */
    CHANGED,
    /** A verification failed. */
    TAMPERED,
    /** A verification passed again after a tamper. */
    RESTORED;

    /** Lower-case name used in JSON. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public WatchEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(difference, "difference");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(time, "time");
  }
}
