package dev.modelseal.format;

import dev.modelseal.tensor.TensorInfo;

/**
 * One npz member after validation: its zip entry, its npy array, and the tensor it provides.
 *
 * @param key member name minus one trailing {@code .npy}
 */
record NpzMember(String key, ZipMember zip, NpyArray array, TensorInfo tensor) {}
