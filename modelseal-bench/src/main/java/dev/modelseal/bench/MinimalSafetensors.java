package dev.modelseal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelseal.format.CanonicalSink;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.Problem;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFileOpener;
import dev.modelseal.format.WeightFormat;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough of safetensors to benchmark tensor hashing before the real reader is merged: header
 * length, JSON header, tensor offsets. It checks bounds but none of the format's other rules; it is
 * not shipped and must never be used to validate a file.
 */
final class MinimalSafetensors implements WeightFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelFile source;
  private final List<TensorInfo> tensors;

  private MinimalSafetensors(ModelFile source, List<TensorInfo> tensors) {
    this.source = source;
    this.tensors = tensors;
  }

  static WeightFileOpener opener() {
    return MinimalSafetensors::open;
  }

  private static Optional<WeightFile> open(ModelFile f, ParseLimits limits)
      throws IOException, FormatException {
    MemorySegment seg = f.segment();
    if (seg.byteSize() < 10 || seg.get(ValueLayout.JAVA_BYTE, 8) != '{') {
      return Optional.empty();
    }
    long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (n < 2 || n > limits.maxSafetensorsHeaderBytes() || n > seg.byteSize() - 8) {
      return Optional.empty();
    }
    JsonNode header = JSON.readTree(seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE));
    long base = 8 + n;
    List<TensorInfo> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonNode t = e.getValue();
      DType dtype =
          DType.safetensors(t.get("dtype").asText())
              .orElseThrow(
                  () -> new FormatException("bench.dtype", f.path(), -1, e.getKey(), "dtype"));
      long[] dims = new long[t.get("shape").size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = t.get("shape").get(i).asLong();
      }
      long begin = t.get("data_offsets").get(0).asLong();
      long end = t.get("data_offsets").get(1).asLong();
      if (begin < 0 || end < begin || end > seg.byteSize() - base) {
        throw new FormatException("bench.offsets", f.path(), -1, e.getKey(), "offsets");
      }
      out.add(new TensorInfo(e.getKey(), dtype, Shape.of(dims), base + begin, end - begin));
    }
    return Optional.of(new MinimalSafetensors(f, List.copyOf(out)));
  }

  @Override
  public ModelFile source() {
    return source;
  }

  @Override
  public WeightFormat format() {
    return WeightFormat.SAFETENSORS;
  }

  @Override
  public Map<String, Object> metadata() {
    return Map.of();
  }

  @Override
  public List<TensorInfo> tensors() {
    return tensors;
  }

  @Override
  public List<Problem> warnings() {
    return List.of();
  }

  @Override
  public MemorySegment storedBytes(TensorInfo tensor) {
    return source.segment().asSlice(tensor.offset(), tensor.nbytes());
  }

  @Override
  public boolean storedCanonically(TensorInfo tensor) {
    return true;
  }

  @Override
  public void readCanonical(TensorInfo tensor, CanonicalSink sink) throws IOException {
    MemorySegment s = storedBytes(tensor);
    for (long pos = 0; pos < s.byteSize(); pos += 1 << 20) {
      sink.accept(s.asSlice(pos, Math.min(1 << 20, s.byteSize() - pos)).asByteBuffer());
    }
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
