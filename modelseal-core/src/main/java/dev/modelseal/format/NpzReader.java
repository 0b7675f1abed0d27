package dev.modelseal.format;

import dev.modelseal.tensor.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an {@code .npz} archive ({@code np.savez}, {@code np.savez_compressed}, {@code mx.savez}):
 * a zip whose every member is an npy file. The zip structure is validated by {@link
 * ZipCentralDirectory}; each member's npy header is parsed (inflating only the header bytes of a
 * deflated member) and checked under the npy rules, and its declared uncompressed size must be
 * exactly header plus data. Tensor keys are member names minus one trailing {@code .npy}.
 */
public final class NpzReader {
  /** Preamble (magic, version, u32 length) that precedes an npy header. */
  private static final int NPY_PREAMBLE_MAX = 12;

  private NpzReader() {}

  /**
   * Validates {@code file}'s structure. Data-level rules (CRC-32, exact inflated size, BOOL bytes)
   * are checked by {@link WeightFile#readCanonical}. The returned file owns {@code file} and closes
   * it.
   *
   * @throws FormatException naming the broken rule ({@code zip.*}, {@code npz.*}, {@code npy.*})
   */
  public static NpzFile read(ModelFile file, ParseLimits limits) throws FormatException {
    MemorySegment bytes = file.segment();
    Path path = file.path();
    ZipCentralDirectory directory = ZipCentralDirectory.read(bytes, path, limits);
    Map<String, NpzMember> members = new LinkedHashMap<>();
    List<Problem> warnings = new ArrayList<>();
    for (ZipMember zip : directory.members()) {
      String name = zip.name();
      boolean npyName = name.endsWith(".npy");
      String key = npyName ? name.substring(0, name.length() - 4) : name;
      if (key.isEmpty()) {
        throw new FormatException(
            "npz.empty-key", path, zip.localHeaderOffset(), name, "member key is empty");
      }
      if (members.containsKey(key)) {
        throw new FormatException(
            "npz.duplicate-key",
            path,
            zip.localHeaderOffset(),
            name,
            "key '" + FormatException.sanitize(key) + "' is given by two members");
      }
      if (!npyName) {
        warnings.add(
            new Problem(
                "npz.member-name-not-npy",
                new FormatException(
                        "npz.member-name-not-npy",
                        path,
                        zip.localHeaderOffset(),
                        name,
                        "member name does not end in .npy; its key is the whole name")
                    .getMessage()));
      }
      MemorySegment stored = bytes.asSlice(zip.dataOffset(), zip.compressedSize());
      MemorySegment head = zip.deflated() ? inflateHead(stored, zip, limits, path) : stored;
      if (!NpyHeader.hasMagic(head)) {
        throw new FormatException(
            "npz.member-not-npy",
            path,
            zip.deflated() ? -1 : zip.dataOffset(),
            name,
            "member is not an npy file (no \\x93NUMPY magic)");
      }
      NpyHeader.Where where =
          new NpyHeader.Where(path, zip.deflated() ? -1 : zip.dataOffset(), name);
      NpyHeader header = NpyHeader.parse(head, limits, where);
      NpyArray array = NpyArray.resolve(header, where);
      if (array.totalBytes() != zip.uncompressedSize()) {
        throw new FormatException(
            "npz.member-size-mismatch",
            path,
            zip.localHeaderOffset(),
            name,
            "member declares "
                + zip.uncompressedSize()
                + " uncompressed bytes but its npy header and data need "
                + array.totalBytes());
      }
      long offset = zip.deflated() ? zip.dataOffset() : zip.dataOffset() + header.dataOffset();
      TensorInfo tensor =
          new TensorInfo(key, array.dtype(), header.shape(), offset, array.dataBytes());
      warnings.addAll(header.warnings());
      members.put(key, new NpzMember(key, zip, array, tensor));
    }
    return new NpzFile(file, members, warnings);
  }

  /** Inflates just enough of a deflated member to parse its npy header. */
  private static MemorySegment inflateHead(
      MemorySegment stored, ZipMember zip, ParseLimits limits, Path path) throws FormatException {
    long headerMax = Math.min(limits.maxNpyHeaderBytes(), Integer.MAX_VALUE - 64L);
    int want = (int) Math.min(zip.uncompressedSize(), NPY_PREAMBLE_MAX + headerMax);
    byte[] head = new byte[want];
    try (MemberInflater inflater =
        new MemberInflater(stored, zip.uncompressedSize(), path, zip.name())) {
      inflater.readFully(head, 0, want);
    }
    return MemorySegment.ofArray(head);
  }
}
