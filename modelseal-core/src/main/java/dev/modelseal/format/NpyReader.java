package dev.modelseal.format;

import dev.modelseal.tensor.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a lone {@code .npy} file: one tensor, named after the file minus one trailing {@code .npy}.
 * The header must pass {@link NpyHeader}'s grammar and the descr rules, and the file must end
 * exactly where the data does (trailing bytes would make a polyglot file).
 */
public final class NpyReader {
  private NpyReader() {}

  /**
   * Validates {@code file}'s structure. Data-level rules (BOOL bytes) are checked by {@link
   * WeightFile#readCanonical}. The returned file owns {@code file} and closes it.
   *
   * @throws FormatException naming the broken rule (e.g. {@code npy.descr-object}, {@code
   *     npy.trailing-data})
   */
  public static NpyFile read(ModelFile file, ParseLimits limits) throws FormatException {
    MemorySegment bytes = file.segment();
    String name = tensorName(file.path());
    NpyHeader.Where where = new NpyHeader.Where(file.path(), 0, null);
    NpyHeader header = NpyHeader.parse(bytes, limits, where);
    NpyArray array = NpyArray.resolve(header, where);
    long expected = array.totalBytes();
    if (file.size() < expected) {
      throw new FormatException(
          "npy.data-truncated",
          file.path(),
          file.size(),
          null,
          "shape "
              + header.shape()
              + " of "
              + header.descr()
              + " needs "
              + array.dataBytes()
              + " data bytes but the file ends after "
              + (file.size() - header.dataOffset()));
    }
    if (file.size() > expected) {
      throw new FormatException(
          "npy.trailing-data",
          file.path(),
          expected,
          null,
          (file.size() - expected) + " bytes follow the array data");
    }
    TensorInfo tensor =
        new TensorInfo(name, array.dtype(), header.shape(), header.dataOffset(), array.dataBytes());
    return new NpyFile(file, tensor, array, List.copyOf(header.warnings()));
  }

  /** The file name minus one trailing {@code .npy}. */
  static String tensorName(Path path) {
    Path fileName = path.getFileName();
    String n = fileName == null ? "" : fileName.toString();
    return n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n;
  }
}
