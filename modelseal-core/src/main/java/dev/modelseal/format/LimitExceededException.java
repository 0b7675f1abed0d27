package dev.modelseal.format;

import java.nio.file.Path;

/** A value from the file exceeded one of the {@link ParseLimits}; the rule names the limit. */
public final class LimitExceededException extends FormatException {
  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long value;
  private final long max;

  public LimitExceededException(
      String limit, long value, long max, Path file, long offset, String location) {
    super(
        "limit." + limit,
        file,
        offset,
        location,
        limit + " is " + value + ", above the limit of " + max);
    this.limit = limit;
    this.value = value;
    this.max = max;
  }

  public String limit() {
    return limit;
  }

  public long value() {
    return value;
  }

  public long max() {
    return max;
  }
}
