package dev.modelseal.digest;

import java.util.List;
import java.util.Optional;

/**
 * The digests of one {@link FileRequest}.
 *
 * @param ranges SHA-256 of each requested range, in request order
 * @param tensors CTD-1 of every tensor in file order; empty when tensors were not requested or the
 *     file is not a weight file
 */
public record FileDigests(List<Digest> ranges, Optional<List<TensorDigest>> tensors) {
  public FileDigests {
    ranges = List.copyOf(ranges);
    tensors = tensors.map(List::copyOf);
  }
}
