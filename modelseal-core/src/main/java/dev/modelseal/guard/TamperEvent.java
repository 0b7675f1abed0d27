package dev.modelseal.guard;

import java.time.Instant;
import java.util.Objects;

/**
 * Something the guard found after hand-over: a re-hash that no longer matches the signature, a
 * mapped file whose size, time or identity changed, or a change to the model's folder.
 *
 * @param file the model-relative name of the file concerned ({@code *} for the whole folder)
 * @param rule what was found: {@value #DIGEST_MISMATCH}, {@value #FILE_CHANGED}, {@value
 *     #SOURCE_CHANGED}, {@value #WATCH_OVERFLOW} or {@value #READ_FAILED}
 * @param time when it was found
 * @param detail one line for an operator
 * @param affectsViews whether the bytes the views show may differ from the verified ones (always
 *     for {@code MAPPED}; in {@code VERIFIED_COPY} only for a re-hash of the private copy)
 */
public record TamperEvent(
    String file, String rule, Instant time, String detail, boolean affectsViews) {
  /** A re-hash of the handed-over bytes differs from the signed digest. */
  public static final String DIGEST_MISMATCH = "guard.digest-mismatch";

  /** A mapped file's size, modification time or file key differs from when it was verified. */
  public static final String FILE_CHANGED = "guard.file-changed";

  /** The folder watch saw a model file written, replaced or deleted on disk. */
  public static final String SOURCE_CHANGED = "guard.source-changed";

  /** The folder watch lost events (too many changes at once): anything may have changed. */
  public static final String WATCH_OVERFLOW = "guard.watch-overflow";

  /** A mapped file could not be read again. */
  public static final String READ_FAILED = "guard.read-failed";

  public TamperEvent {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(detail, "detail");
  }

  /** One line: {@code [rule] file: detail}. */
  @Override
  public String toString() {
    return "[" + rule + "] " + file + ": " + detail;
  }
}
