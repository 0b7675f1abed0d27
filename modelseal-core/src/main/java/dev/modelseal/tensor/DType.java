package dev.modelseal.tensor;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An element type, named by its tag: the safetensors names ({@code F32}, {@code BF16}, ...), plus
 * {@code C128}, {@code V<n>} (opaque n-byte void) and {@code GGML_<TYPE>} for quantized GGUF
 * blocks.
 *
 * <p>Storage is described as blocks: {@code blockElements} elements occupy {@code blockBytes}
 * bytes. Plain types have one element per block; sub-byte types (F4: 2 elements per byte, F6: 4 per
 * 3 bytes) and quantized GGML types have more. A tensor's element count must be a whole number of
 * blocks.
 *
 * @param tag the canonical tag, as written into CTD-1 and JSON output
 * @param blockElements elements per storage block (at least 1)
 * @param blockBytes bytes per storage block (at least 1)
 * @param scalarBytes the unit to byte-swap when converting big-endian data; 1 for types with no
 *     byte order (bytes, sub-byte, void and quantized blocks); complex types swap each half
 *     separately
 */
public record DType(String tag, int blockElements, int blockBytes, int scalarBytes) {

  public static final DType BOOL = new DType("BOOL", 1, 1, 1);
  public static final DType U8 = new DType("U8", 1, 1, 1);
  public static final DType I8 = new DType("I8", 1, 1, 1);
  public static final DType F8_E5M2 = new DType("F8_E5M2", 1, 1, 1);
  public static final DType F8_E4M3 = new DType("F8_E4M3", 1, 1, 1);
  public static final DType F8_E8M0 = new DType("F8_E8M0", 1, 1, 1);
  public static final DType F8_E4M3FNUZ = new DType("F8_E4M3FNUZ", 1, 1, 1);
  public static final DType F8_E5M2FNUZ = new DType("F8_E5M2FNUZ", 1, 1, 1);
  public static final DType I16 = new DType("I16", 1, 2, 2);
  public static final DType U16 = new DType("U16", 1, 2, 2);
  public static final DType F16 = new DType("F16", 1, 2, 2);
  public static final DType BF16 = new DType("BF16", 1, 2, 2);
  public static final DType I32 = new DType("I32", 1, 4, 4);
  public static final DType U32 = new DType("U32", 1, 4, 4);
  public static final DType F32 = new DType("F32", 1, 4, 4);
  public static final DType C64 = new DType("C64", 1, 8, 4);
  public static final DType F64 = new DType("F64", 1, 8, 8);
  public static final DType I64 = new DType("I64", 1, 8, 8);
  public static final DType U64 = new DType("U64", 1, 8, 8);
  public static final DType F4 = new DType("F4", 2, 1, 1);
  public static final DType F6_E2M3 = new DType("F6_E2M3", 4, 3, 1);
  public static final DType F6_E3M2 = new DType("F6_E3M2", 4, 3, 1);

  /** Not a safetensors dtype; numpy's complex128 ({@code c16}). */
  public static final DType C128 = new DType("C128", 1, 16, 8);

  private static final Map<String, DType> SAFETENSORS;

  static {
    Map<String, DType> m = new LinkedHashMap<>();
    for (DType t :
        new DType[] {
          BOOL,
          U8,
          I8,
          F8_E5M2,
          F8_E4M3,
          F8_E8M0,
          F8_E4M3FNUZ,
          F8_E5M2FNUZ,
          I16,
          U16,
          F16,
          BF16,
          I32,
          U32,
          F32,
          C64,
          F64,
          I64,
          U64,
          F4,
          F6_E2M3,
          F6_E3M2
        }) {
      m.put(t.tag(), t);
    }
    SAFETENSORS = Collections.unmodifiableMap(m);
  }

  public DType {
    if (tag == null || tag.isEmpty()) {
      throw new IllegalArgumentException("dtype tag must not be empty");
    }
    if (blockElements < 1 || blockBytes < 1 || scalarBytes < 1) {
      throw new IllegalArgumentException("dtype block sizes must be positive: " + tag);
    }
  }

  /** The dtype a safetensors header names by this tag, if it is one of the format's dtypes. */
  public static Optional<DType> safetensors(String tag) {
    return Optional.ofNullable(SAFETENSORS.get(tag));
  }

  /** Every safetensors dtype, in the order the format lists them. */
  public static Collection<DType> safetensorsTypes() {
    return SAFETENSORS.values();
  }

  /** An opaque void of {@code n} bytes, tag {@code V<n>}. */
  public static DType opaque(int n) {
    return new DType("V" + n, 1, n, 1);
  }

  /** A quantized GGML block type, tag {@code GGML_<name>}. */
  public static DType ggmlBlocks(String name, int blockElements, int blockBytes) {
    return new DType("GGML_" + name, blockElements, blockBytes, 1);
  }

  /** True when {@code elements} fills whole storage blocks (always true for plain types). */
  public boolean isWholeBlocks(long elements) {
    return elements % blockElements == 0;
  }

  /**
   * Bytes needed to store {@code elements} elements.
   *
   * @throws ArithmeticException if the size overflows a signed 64-bit value
   * @throws IllegalArgumentException if {@code elements} is not a whole number of blocks
   */
  public long byteSize(long elements) {
    if (elements < 0) {
      throw new IllegalArgumentException("negative element count");
    }
    if (!isWholeBlocks(elements)) {
      throw new IllegalArgumentException(
          elements + " elements of " + tag + " do not fill whole blocks of " + blockElements);
    }
    return Math.multiplyExact(elements / blockElements, (long) blockBytes);
  }

  @Override
  public String toString() {
    return tag;
  }
}
