package dev.modelseal.format;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Opens weight files, recognising the format by its magic bytes, never by the file name. The name
 * is consulted only to explain a file that claims to be a weight file but has no recognisable
 * magic.
 */
public final class WeightFiles {
  private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};
  private static final byte[] ZIP_LOCAL = {'P', 'K', 3, 4};

  private WeightFiles() {}

  /**
   * The format the file's first bytes announce, if any: {@code \x93NUMPY} npy, {@code GGUF} gguf, a
   * zip archive whose first member is an {@code .npy} npz, and safetensors when the little-endian
   * u64 header length fits in the file and the header starts (after JSON whitespace) with an
   * opening brace.
   */
  public static Optional<WeightFormat> detect(ModelFile file) {
    MemorySegment s = file.segment();
    long size = file.size();
    if (startsWith(s, size, NPY_MAGIC)) {
      return Optional.of(WeightFormat.NPY);
    }
    if (startsWith(s, size, GGUF_MAGIC)) {
      return Optional.of(WeightFormat.GGUF);
    }
    if (startsWith(s, size, ZIP_LOCAL) && firstMemberIsNpy(s, size)) {
      return Optional.of(WeightFormat.NPZ);
    }
    if (SafetensorsReader.recognizes(file)) {
      return Optional.of(WeightFormat.SAFETENSORS);
    }
    return Optional.empty();
  }

  /**
   * The format a file name suggests ({@code .safetensors}, {@code .npy}, {@code .npz}, {@code
   * .gguf}).
   */
  public static Optional<WeightFormat> byExtension(Path file) {
    Path name = file.getFileName();
    String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    for (WeightFormat f : WeightFormat.values()) {
      if (n.endsWith("." + f.id())) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * Parses an opened file as {@code format}, enforcing every structural rule of that format. The
   * result shares (and on close, closes) {@code file}.
   */
  public static WeightFile read(ModelFile file, WeightFormat format, ParseLimits limits)
      throws FormatException {
    return switch (format) {
      case SAFETENSORS -> SafetensorsReader.read(file, limits);
      case NPY -> NpyReader.read(file, limits);
      case NPZ -> NpzReader.read(file, limits);
      case GGUF -> GgufReader.read(file, limits);
    };
  }

  /**
   * Opens and parses {@code path}: by magic bytes, or, when the magic is not recognised but the
   * name claims a weight format, as that format so its own rules explain what is wrong.
   *
   * @return empty when the file is not a weight file at all
   */
  public static Optional<WeightFile> open(Path path, ParseLimits limits)
      throws IOException, FormatException {
    ModelFile file = ModelFile.open(path);
    boolean handedOver = false;
    try {
      Optional<WeightFormat> format = detect(file).or(() -> byExtension(path));
      if (format.isEmpty()) {
        return Optional.empty();
      }
      WeightFile wf = read(file, format.get(), limits);
      handedOver = true;
      return Optional.of(wf);
    } finally {
      if (!handedOver) {
        file.close();
      }
    }
  }

  /**
   * A zip is an npz when its first member is an {@code .npy}: {@code np.savez} and {@code mx.savez}
   * write nothing else, while PyTorch and Keras archives start with other members.
   */
  private static boolean firstMemberIsNpy(MemorySegment s, long size) {
    if (size < 30) {
      return false;
    }
    int nameLength =
        Short.toUnsignedInt(
            s.get(
                ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 26));
    if (nameLength < 4 || 30L + nameLength > size) {
      return false;
    }
    return s.get(ValueLayout.JAVA_BYTE, 30L + nameLength - 4) == '.'
        && s.get(ValueLayout.JAVA_BYTE, 30L + nameLength - 3) == 'n'
        && s.get(ValueLayout.JAVA_BYTE, 30L + nameLength - 2) == 'p'
        && s.get(ValueLayout.JAVA_BYTE, 30L + nameLength - 1) == 'y';
  }

  /**
   * The {@link WeightFileOpener} over every reader: parses an already opened file when its magic
   * bytes (or, failing that, its name) say it is a weight file; otherwise returns empty and leaves
   * {@code file} open and owned by the caller.
   */
  public static Optional<WeightFile> open(ModelFile file, ParseLimits limits)
      throws FormatException {
    Optional<WeightFormat> format = detect(file).or(() -> byExtension(file.path()));
    if (format.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(read(file, format.get(), limits));
  }

  private static boolean startsWith(MemorySegment s, long size, byte[] magic) {
    if (size < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (s.get(ValueLayout.JAVA_BYTE, i) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
