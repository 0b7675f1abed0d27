package dev.modelseal.digest;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.util.Objects;

/**
 * The CTD-1 digest of one named tensor.
 *
 * @param name the tensor's name in its file (not part of CTD-1; CTM-1 covers names)
 * @param dtype element type, as hashed
 * @param shape row-major shape, as hashed
 * @param digest CTD-1
 */
public record TensorDigest(String name, DType dtype, Shape shape, Digest digest) {
  public TensorDigest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(digest, "digest");
  }

  static TensorDigest of(TensorInfo tensor, Digest digest) {
    return new TensorDigest(tensor.name(), tensor.dtype(), tensor.shape(), digest);
  }
}
