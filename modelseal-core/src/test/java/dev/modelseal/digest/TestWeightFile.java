package dev.modelseal.digest;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tiny weight-file format for tests, standing in for the real readers (which live on other
 * branches): a text header naming each tensor's dtype, shape, offset, size and how it is stored,
 * then the data. Stored forms: {@code C} canonical (so the engine may hash it in one pass), {@code
 * S} every scalar byte-swapped (so only {@link #readCanonical} gives the canonical bytes), {@code
 * X} canonical but not declared so (forces the readCanonical path on canonical bytes).
 *
 * <pre>
 * MSTESTWF
 * name|dtype|d0,d1,...|offset|nbytes|C
 * ...
 * (empty line)
 * </pre>
 */
public final class TestWeightFile implements WeightFile {
  static final byte[] MAGIC = "MSTESTWF\n".getBytes(StandardCharsets.US_ASCII);

  /** Dtypes the test format knows by tag. */
  static final Map<String, DType> DTYPES = new LinkedHashMap<>();

  static {
    for (DType t : DType.safetensorsTypes()) {
      DTYPES.put(t.tag(), t);
    }
    DTYPES.put("C128", DType.C128);
    DTYPES.put("V3", DType.opaque(3));
    DTYPES.put("GGML_Q4_0", DType.ggmlBlocks("Q4_0", 32, 18));
  }

  private final ModelFile source;
  private final List<TensorInfo> tensors;
  private final Map<String, Character> forms;
  private final int chunk;

  private TestWeightFile(
      ModelFile source, List<TensorInfo> tensors, Map<String, Character> forms, int chunk) {
    this.source = source;
    this.tensors = tensors;
    this.forms = forms;
    this.chunk = chunk;
  }

  /** One tensor to write: canonical payload plus the form to store it in. */
  public static final class Spec {
    private final String name;
    private final DType dtype;
    private final Shape shape;
    private final byte[] canonical;
    private final char form;

    public Spec(String name, DType dtype, Shape shape, byte[] canonical, char form) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.canonical = canonical.clone();
      this.form = form;
    }

    public String name() {
      return name;
    }

    public DType dtype() {
      return dtype;
    }

    public Shape shape() {
      return shape;
    }

    public char form() {
      return form;
    }

    public int canonicalLength() {
      return canonical.length;
    }

    public byte[] canonicalCopy() {
      return canonical.clone();
    }
  }

  /**
   * Writes a test weight file: header, then each tensor's stored bytes in the given order, with
   * {@code gap} filler bytes before each tensor.
   */
  public static void write(Path file, List<Spec> specs, int gap) throws IOException {
    StringBuilder header = new StringBuilder();
    // Two passes: the header's length decides the offsets, the offsets the header's length.
    int headerLen = 0;
    for (int attempt = 0; attempt < 4; attempt++) {
      header.setLength(0);
      header.append(new String(MAGIC, StandardCharsets.US_ASCII));
      long offset = headerLen;
      for (Spec s : specs) {
        offset += gap;
        long[] dims = s.shape().toArray();
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
          d.append(i == 0 ? "" : ",").append(dims[i]);
        }
        header
            .append(s.name())
            .append('|')
            .append(s.dtype().tag())
            .append('|')
            .append(d)
            .append('|')
            .append(offset)
            .append('|')
            .append(s.canonical.length)
            .append('|')
            .append(s.form())
            .append('\n');
        offset += s.canonical.length;
      }
      header.append('\n');
      int len = header.toString().getBytes(StandardCharsets.UTF_8).length;
      if (len == headerLen) {
        break;
      }
      headerLen = len;
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(total(specs, gap, headerLen)));
    out.put(header.toString().getBytes(StandardCharsets.UTF_8));
    for (Spec s : specs) {
      for (int i = 0; i < gap; i++) {
        out.put((byte) 0xA5);
      }
      out.put(s.form() == 'S' ? swapped(s.canonical, s.dtype()) : s.canonical);
    }
    Files.write(file, out.array());
  }

  private static long total(List<Spec> specs, int gap, int headerLen) {
    long t = headerLen;
    for (Spec s : specs) {
      t += gap + s.canonical.length;
    }
    return t;
  }

  /** Reverses each scalar (each half of a complex), as a big-endian writer would store it. */
  static byte[] swapped(byte[] data, DType dtype) {
    int w = dtype.scalarBytes();
    byte[] out = data.clone();
    for (int i = 0; i + w <= out.length; i += w) {
      for (int j = 0; j < w / 2; j++) {
        byte b = out[i + j];
        out[i + j] = out[i + w - 1 - j];
        out[i + w - 1 - j] = b;
      }
    }
    return out;
  }

  /** Opens files starting with the test magic; anything else is "not a weight file". */
  public static WeightFileOpener opener() {
    return opener(7);
  }

  /** As {@link #opener()}, delivering canonical bytes in chunks of {@code chunk} bytes. */
  public static WeightFileOpener opener(int chunk) {
    return (ModelFile f, ParseLimits limits) -> open(f, chunk);
  }

  private static Optional<WeightFile> open(ModelFile f, int chunk) throws FormatException {
    MemorySegment seg = f.segment();
    if (seg.byteSize() < MAGIC.length
        || !Arrays.equals(seg.asSlice(0, MAGIC.length).toArray(ValueLayout.JAVA_BYTE), MAGIC)) {
      return Optional.empty();
    }
    long end = MAGIC.length;
    while (end < seg.byteSize() - 1
        && !(seg.get(ValueLayout.JAVA_BYTE, end) == '\n'
            && seg.get(ValueLayout.JAVA_BYTE, end + 1) == '\n')) {
      end++;
    }
    String text =
        new String(
            seg.asSlice(MAGIC.length, end - MAGIC.length + 1).toArray(ValueLayout.JAVA_BYTE),
            StandardCharsets.UTF_8);
    List<TensorInfo> tensors = new ArrayList<>();
    Map<String, Character> forms = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      String[] p = line.split("\\|", -1);
      if (p.length != 6 || !DTYPES.containsKey(p[1])) {
        throw new FormatException("testwf.bad-line", f.path(), -1, null, "bad header line");
      }
      long[] dims =
          p[2].isEmpty()
              ? new long[0]
              : Arrays.stream(p[2].split(",", -1)).mapToLong(Long::parseLong).toArray();
      tensors.add(
          new TensorInfo(
              p[0], DTYPES.get(p[1]), Shape.of(dims), Long.parseLong(p[3]), Long.parseLong(p[4])));
      forms.put(p[0], p[5].charAt(0));
    }
    return Optional.of(new TestWeightFile(f, List.copyOf(tensors), forms, chunk));
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
    return forms.get(tensor.name()) == 'C';
  }

  @Override
  public void readCanonical(TensorInfo tensor, CanonicalSink sink) throws IOException {
    byte[] stored = storedBytes(tensor).toArray(ValueLayout.JAVA_BYTE);
    byte[] canonical = forms.get(tensor.name()) == 'S' ? swapped(stored, tensor.dtype()) : stored;
    // Alternate heap and direct chunks: sinks must take both.
    boolean direct = false;
    for (int pos = 0; pos < canonical.length; pos += chunk) {
      int n = Math.min(chunk, canonical.length - pos);
      ByteBuffer b;
      if (direct) {
        b = ByteBuffer.allocateDirect(n).put(canonical, pos, n).flip();
      } else {
        b = ByteBuffer.wrap(canonical, pos, n).slice().asReadOnlyBuffer();
      }
      direct = !direct;
      sink.accept(b);
    }
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
