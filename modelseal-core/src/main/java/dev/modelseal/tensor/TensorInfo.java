package dev.modelseal.tensor;

import java.util.Objects;

/**
 * One tensor as a weight file declares it, after validation.
 *
 * @param name the tensor's name in its file (safetensors key, npz member minus {@code .npy}, GGUF
 *     name, or the file name minus {@code .npy} for a lone npy file)
 * @param dtype element type
 * @param shape row-major logical shape
 * @param offset absolute byte offset in the file where the tensor's stored bytes begin (for an npz
 *     member, where the member's stored, possibly deflated, npy payload begins)
 * @param nbytes size of the tensor's canonical (uncompressed) data in bytes
 */
public record TensorInfo(String name, DType dtype, Shape shape, long offset, long nbytes) {
  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    if (offset < 0 || nbytes < 0) {
      throw new IllegalArgumentException("negative offset or size for tensor " + name);
    }
  }
}
