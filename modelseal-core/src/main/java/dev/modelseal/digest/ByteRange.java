package dev.modelseal.digest;

/**
 * A half-open byte range {@code [start, end)} of a file.
 *
 * @param start first byte
 * @param end one past the last byte
 */
public record ByteRange(long start, long end) {
  public ByteRange {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad byte range [" + start + ", " + end + ")");
    }
  }

  public long length() {
    return end - start;
  }

  /** True when {@code [from, to)} lies inside this range. */
  boolean contains(long from, long to) {
    return from >= start && to <= end;
  }
}
