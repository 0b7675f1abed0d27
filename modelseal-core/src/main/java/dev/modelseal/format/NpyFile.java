package dev.modelseal.format;

import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A validated lone npy file: one tensor whose data follows the header. */
public final class NpyFile implements WeightFile {
  private final ModelFile source;
  private final TensorInfo tensor;
  private final NpyArray array;
  private final List<Problem> warnings;

  NpyFile(ModelFile source, TensorInfo tensor, NpyArray array, List<Problem> warnings) {
    this.source = source;
    this.tensor = tensor;
    this.array = array;
    this.warnings = List.copyOf(warnings);
  }

  @Override
  public ModelFile source() {
    return source;
  }

  @Override
  public WeightFormat format() {
    return WeightFormat.NPY;
  }

  /** {@code {"descr": "<f4", "fortran_order": false, "version": "1.0"}}. */
  @Override
  public Map<String, Object> metadata() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("descr", array.header().descr());
    m.put("fortran_order", array.header().fortranOrder());
    m.put("version", array.header().version());
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The parsed header (descr as written, Fortran flag, version, data offset). */
  public NpyHeader header() {
    return array.header();
  }

  @Override
  public List<TensorInfo> tensors() {
    return List.of(tensor);
  }

  @Override
  public List<Problem> warnings() {
    return warnings;
  }

  /** The array's data bytes as stored: possibly big-endian and/or in Fortran order. */
  @Override
  public MemorySegment storedBytes(TensorInfo t) {
    check(t);
    return source.segment().asSlice(tensor.offset(), tensor.nbytes());
  }

  /** Little-endian (or byte-order-free) C-order data is canonical as stored. */
  @Override
  public boolean storedCanonically(TensorInfo t) {
    return tensor.equals(t) && !array.swaps() && !array.permutes();
  }

  @Override
  public void readCanonical(TensorInfo t, CanonicalSink sink) throws IOException, FormatException {
    check(t);
    NpyCanonicalStream.stream(
        storedBytes(t),
        array,
        sink,
        new NpyHeader.Where(source.path(), tensor.offset(), tensor.name()));
  }

  private void check(TensorInfo t) {
    if (!tensor.equals(t)) {
      throw new IllegalArgumentException("not the tensor of " + source.path() + ": " + t);
    }
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
