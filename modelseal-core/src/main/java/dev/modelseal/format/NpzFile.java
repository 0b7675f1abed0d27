package dev.modelseal.format;

import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A validated npz archive: one tensor per member, in central directory order.
 *
 * <p>{@link #storedBytes} of a stored member is its array data (after the npy header), exactly as
 * for a lone npy file; of a deflated member it is the whole deflated member, since the header and
 * data cannot be separated without inflating.
 *
 * <p>{@link #readCanonical} verifies the member's CRC-32. For a stored member it does so before the
 * sink sees any byte. A deflated member in C order is inflated once, straight into the sink, and
 * the CRC-32 (and the exact end of the deflate stream) is only known at the end: on failure the
 * sink has already received bytes, and the exception voids them. A deflated member in Fortran order
 * must be read out of order; it is inflated (and CRC-checked) into a bounded heap buffer when
 * small, otherwise into a private temporary file that is mapped and permuted like stored data: this
 * keeps memory flat and the work linear, where re-inflating the stream once per output band would
 * be quadratic in the member's size.
 */
public final class NpzFile implements WeightFile {
  /** Deflated Fortran-order members up to this size are permuted from a heap buffer. */
  static final long IN_MEMORY_PERMUTE_BYTES = 8L << 20;

  private static final int CHUNK = 1 << 16;
  private static final int CRC_CHUNK = 1 << 20;

  private final ModelFile source;
  private final Map<String, NpzMember> members;
  private final List<TensorInfo> tensors;
  private final List<Problem> warnings;

  NpzFile(ModelFile source, Map<String, NpzMember> members, List<Problem> warnings) {
    this.source = source;
    this.members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    List<TensorInfo> t = new ArrayList<>();
    for (NpzMember m : members.values()) {
      t.add(m.tensor());
    }
    this.tensors = List.copyOf(t);
    this.warnings = List.copyOf(warnings);
  }

  @Override
  public ModelFile source() {
    return source;
  }

  @Override
  public WeightFormat format() {
    return WeightFormat.NPZ;
  }

  /** {@code {"members": [{"name", "key", "compression", "descr", "fortran_order", "version"}]}}. */
  @Override
  public Map<String, Object> metadata() {
    List<Object> list = new ArrayList<>();
    for (NpzMember m : members.values()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", m.zip().name());
      e.put("key", m.key());
      e.put("compression", m.zip().deflated() ? "deflate" : "stored");
      e.put("descr", m.array().header().descr());
      e.put("fortran_order", m.array().header().fortranOrder());
      e.put("version", m.array().header().version());
      list.add(Collections.unmodifiableMap(e));
    }
    return Map.of("members", List.copyOf(list));
  }

  @Override
  public List<TensorInfo> tensors() {
    return tensors;
  }

  @Override
  public List<Problem> warnings() {
    return warnings;
  }

  /** The zip entry behind a tensor (sizes, CRC, method, offsets). */
  public ZipMember zipMember(TensorInfo tensor) {
    return member(tensor).zip();
  }

  /** The npy header of a tensor's member. */
  public NpyHeader npyHeader(TensorInfo tensor) {
    return member(tensor).array().header();
  }

  @Override
  public MemorySegment storedBytes(TensorInfo tensor) {
    NpzMember m = member(tensor);
    ZipMember zip = m.zip();
    if (zip.deflated()) {
      return source.segment().asSlice(zip.dataOffset(), zip.compressedSize());
    }
    return source.segment().asSlice(tensor.offset(), tensor.nbytes());
  }

  @Override
  public void readCanonical(TensorInfo tensor, CanonicalSink sink)
      throws IOException, FormatException {
    readCanonical(tensor, sink, IN_MEMORY_PERMUTE_BYTES);
  }

  void readCanonical(TensorInfo tensor, CanonicalSink sink, long inMemoryPermuteBytes)
      throws IOException, FormatException {
    NpzMember m = member(tensor);
    if (m.zip().deflated()) {
      readDeflated(m, sink, inMemoryPermuteBytes);
    } else {
      readStored(m, sink);
    }
  }

  private void readStored(NpzMember m, CanonicalSink sink) throws IOException, FormatException {
    ZipMember zip = m.zip();
    MemorySegment whole = source.segment().asSlice(zip.dataOffset(), zip.compressedSize());
    CRC32 crc = new CRC32();
    for (long off = 0; off < whole.byteSize(); off += CRC_CHUNK) {
      MemorySegment chunk = whole.asSlice(off, Math.min(CRC_CHUNK, whole.byteSize() - off));
      crc.update(chunk.asByteBuffer());
      MappedPages.release(chunk);
    }
    if (crc.getValue() != zip.crc32()) {
      throw new FormatException(
          "npz.crc-mismatch",
          source.path(),
          zip.dataOffset(),
          zip.name(),
          String.format(
              Locale.ROOT,
              "CRC-32 of the stored member is %08x, the archive says %08x",
              crc.getValue(),
              zip.crc32()));
    }
    long dataOffset = m.array().header().dataOffset();
    NpyCanonicalStream.stream(
        whole.asSlice(dataOffset, m.array().dataBytes()),
        m.array(),
        sink,
        new NpyHeader.Where(source.path(), zip.dataOffset() + dataOffset, zip.name()));
  }

  private void readDeflated(NpzMember m, CanonicalSink sink, long inMemoryPermuteBytes)
      throws IOException, FormatException {
    ZipMember zip = m.zip();
    NpyArray array = m.array();
    NpyHeader.Where where = new NpyHeader.Where(source.path(), -1, zip.name());
    MemorySegment stored = source.segment().asSlice(zip.dataOffset(), zip.compressedSize());
    try (MemberInflater inflater =
        new MemberInflater(stored, zip.uncompressedSize(), source.path(), zip.name())) {
      byte[] buf = new byte[CHUNK];
      // The header was parsed from these same bytes when the archive was read.
      for (long skip = array.header().dataOffset(); skip > 0; ) {
        int n = (int) Math.min(buf.length, skip);
        inflater.readFully(buf, 0, n);
        skip -= n;
      }
      if (!array.permutes()) {
        NpyCanonicalStream out = new NpyCanonicalStream(array, sink, where);
        MemorySegment view = MemorySegment.ofArray(buf);
        for (int n; (n = inflater.read(buf, 0, buf.length)) > 0; ) {
          out.write(view.asSlice(0, n));
        }
        inflater.finish(zip.crc32());
        out.finish();
      } else if (array.dataBytes() <= inMemoryPermuteBytes) {
        byte[] all = new byte[Math.toIntExact(array.dataBytes())];
        inflater.readFully(all, 0, all.length);
        inflater.finish(zip.crc32());
        NpyCanonicalStream.stream(MemorySegment.ofArray(all), array, sink, where);
      } else {
        try (ScratchFile scratch = ScratchFile.create()) {
          for (int n; (n = inflater.read(buf, 0, buf.length)) > 0; ) {
            scratch.append(buf, 0, n);
          }
          inflater.finish(zip.crc32());
          NpyCanonicalStream.stream(scratch.map(), array, sink, where);
        }
      }
    }
  }

  private NpzMember member(TensorInfo tensor) {
    NpzMember m = members.get(tensor.name());
    if (m == null || !m.tensor().equals(tensor)) {
      throw new IllegalArgumentException("not a tensor of " + source.path() + ": " + tensor);
    }
    return m;
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
