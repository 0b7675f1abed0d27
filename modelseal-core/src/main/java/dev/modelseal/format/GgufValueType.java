package dev.modelseal.format;

import java.util.Optional;

/** The value types of GGUF metadata, with their ids and (for fixed-size types) byte sizes. */
public enum GgufValueType {
  UINT8(0, 1),
  INT8(1, 1),
  UINT16(2, 2),
  INT16(3, 2),
  UINT32(4, 4),
  INT32(5, 4),
  FLOAT32(6, 4),
  BOOL(7, 1),
  STRING(8, 0),
  ARRAY(9, 0),
  UINT64(10, 8),
  INT64(11, 8),
  FLOAT64(12, 8);

  private static final GgufValueType[] BY_ID = values();

  private final int id;
  private final int size;

  GgufValueType(int id, int size) {
    this.id = id;
    this.size = size;
  }

  /** The id written in the file. */
  public int id() {
    return id;
  }

  /** Bytes of one value, or 0 for the variable-size STRING and ARRAY. */
  int size() {
    return size;
  }

  boolean isInteger() {
    return switch (this) {
      case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
      case FLOAT32, FLOAT64, BOOL, STRING, ARRAY -> false;
    };
  }

  boolean isFloat() {
    return this == FLOAT32 || this == FLOAT64;
  }

  /** Lower-case name used in JSON summaries and messages, e.g. {@code uint32}, {@code string}. */
  public String jsonName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  static Optional<GgufValueType> fromId(long id) {
    if (id < 0 || id >= BY_ID.length) {
      return Optional.empty();
    }
    return Optional.of(BY_ID[(int) id]);
  }
}
