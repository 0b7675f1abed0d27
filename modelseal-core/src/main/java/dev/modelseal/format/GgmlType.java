package dev.modelseal.format;

import dev.modelseal.tensor.DType;
import java.util.Optional;

/**
 * The ggml tensor types a GGUF file may use: an allow-list with each type's id, storage block
 * (elements per block, bytes per block) and the {@link DType} it is reported as. Plain types map to
 * the plain dtypes; quantized types to {@code GGML_<NAME>} block dtypes whose payload is the raw
 * blocks.
 *
 * <p>Ids 4, 5 (Q4_2, Q4_3), 31-33 (Q4_0_4_4, Q4_0_4_8, Q4_0_8_8) and 36-38 (IQ4_NL_4_4, IQ4_NL_4_8,
 * IQ4_NL_8_8) were removed from ggml: their layouts are no longer defined, so a file using them is
 * rejected rather than guessed at.
 */
public enum GgmlType {
  F32(0, 1, 4),
  F16(1, 1, 2),
  Q4_0(2, 32, 18),
  Q4_1(3, 32, 20),
  Q5_0(6, 32, 22),
  Q5_1(7, 32, 24),
  Q8_0(8, 32, 34),
  Q8_1(9, 32, 36),
  Q2_K(10, 256, 84),
  Q3_K(11, 256, 110),
  Q4_K(12, 256, 144),
  Q5_K(13, 256, 176),
  Q6_K(14, 256, 210),
  Q8_K(15, 256, 292),
  IQ2_XXS(16, 256, 66),
  IQ2_XS(17, 256, 74),
  IQ3_XXS(18, 256, 98),
  IQ1_S(19, 256, 50),
  IQ4_NL(20, 32, 18),
  IQ3_S(21, 256, 110),
  IQ2_S(22, 256, 82),
  IQ4_XS(23, 256, 136),
  I8(24, 1, 1),
  I16(25, 1, 2),
  I32(26, 1, 4),
  I64(27, 1, 8),
  F64(28, 1, 8),
  IQ1_M(29, 256, 56),
  BF16(30, 1, 2),
  TQ1_0(34, 256, 54),
  TQ2_0(35, 256, 66),
  MXFP4(39, 32, 17),
  NVFP4(40, 64, 36),
  Q1_0(41, 128, 18),
  Q2_0(42, 64, 18);

  private static final int MAX_ID = 42;
  private static final GgmlType[] BY_ID = new GgmlType[MAX_ID + 1];

  static {
    for (GgmlType t : values()) {
      BY_ID[t.id] = t;
    }
  }

  private final int id;
  private final int blockElements;
  private final int blockBytes;

  GgmlType(int id, int blockElements, int blockBytes) {
    this.id = id;
    this.blockElements = blockElements;
    this.blockBytes = blockBytes;
  }

  /** The id stored in a GGUF tensor info. */
  public int id() {
    return id;
  }

  /** Elements per storage block (1 for plain types). */
  public int blockElements() {
    return blockElements;
  }

  /** Bytes per storage block. */
  public int blockBytes() {
    return blockBytes;
  }

  /** The dtype tensors of this type are reported and digested as. */
  public DType dtype() {
    return switch (this) {
      case F32 -> DType.F32;
      case F16 -> DType.F16;
      case BF16 -> DType.BF16;
      case F64 -> DType.F64;
      case I8 -> DType.I8;
      case I16 -> DType.I16;
      case I32 -> DType.I32;
      case I64 -> DType.I64;
      default -> DType.ggmlBlocks(name(), blockElements, blockBytes);
    };
  }

  /** True for block-quantized types, whose payload is raw blocks tagged {@code GGML_<NAME>}. */
  public boolean isQuantized() {
    return dtype().tag().startsWith("GGML_");
  }

  /** The allowed type with this id, if any (retired and unknown ids give empty). */
  public static Optional<GgmlType> fromId(long id) {
    if (id < 0 || id > MAX_ID) {
      return Optional.empty();
    }
    return Optional.ofNullable(BY_ID[(int) id]);
  }

  /** True for ids ggml once assigned and has since removed. */
  public static boolean isRetired(long id) {
    return id == 4 || id == 5 || (id >= 31 && id <= 33) || (id >= 36 && id <= 38);
  }
}
