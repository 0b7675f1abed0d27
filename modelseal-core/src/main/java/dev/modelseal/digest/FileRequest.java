package dev.modelseal.digest;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to digest in one file.
 *
 * @param path the regular file to open (never followed if it is a link)
 * @param expectedSize the size the file had when it was enumerated; a different size when it is
 *     opened means it changed
 * @param ranges the byte ranges to digest with SHA-256 each, in order, non-overlapping, inside
 *     {@code [0, expectedSize]}: one range {@code [0, size)} for the {@code files} method, the
 *     shards for the {@code shards} method (none for an empty file)
 * @param tensors whether to compute CTD-1 for every tensor if the file is a weight file
 * @param capture what else to do with the bytes read for the ranges (not with tensor digests)
 */
public record FileRequest(
    Path path, long expectedSize, List<ByteRange> ranges, boolean tensors, FileCapture capture) {
  public FileRequest(Path path, long expectedSize, List<ByteRange> ranges, boolean tensors) {
    this(path, expectedSize, ranges, tensors, FileCapture.NONE);
  }

  public FileRequest {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(capture, "capture");
    if (tensors && capture != FileCapture.NONE) {
      throw new IllegalArgumentException("a captured file is hashed without tensor digests");
    }
    ranges = List.copyOf(ranges);
    long previousEnd = 0;
    for (ByteRange r : ranges) {
      if (r.start() < previousEnd || r.end() > expectedSize) {
        throw new IllegalArgumentException(
            "ranges must be ordered, disjoint and inside the file: " + ranges);
      }
      previousEnd = r.end();
    }
  }
}
