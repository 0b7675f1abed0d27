package dev.modelseal.format;

import java.nio.file.Path;

/**
 * Every safety limit the readers enforce, with named defaults, in one immutable object. Breaching a
 * limit raises {@link LimitExceededException} naming it. Limits bound work and memory for values
 * that a file could legitimately contain; structural rules (which no file may break) are not
 * limits.
 */
public final class ParseLimits {
  /** safetensors: the reference implementation's cap on the JSON header (100 MB). */
  public static final long DEFAULT_MAX_SAFETENSORS_HEADER_BYTES = 100_000_000L;

  /** npy: numpy refuses headers longer than this unless told otherwise. */
  public static final long DEFAULT_MAX_NPY_HEADER_BYTES = 10_000L;

  /** Tensors in one file (safetensors, GGUF) or members in one npz. */
  public static final long DEFAULT_MAX_TENSORS = 1_000_000L;

  /** GGUF metadata key/value pairs. */
  public static final long DEFAULT_MAX_METADATA_ENTRIES = 1_000_000L;

  /** GGUF strings and arrays: at most 2^30 elements or bytes. */
  public static final long DEFAULT_MAX_ARRAY_ELEMENTS = 1L << 30;

  /** Dimensions of one tensor (numpy's own NPY_MAXDIMS is 64). */
  public static final int DEFAULT_MAX_RANK = 64;

  /** JSON nesting depth in headers, indexes and configs. */
  public static final int DEFAULT_MAX_JSON_DEPTH = 64;

  /** npz: sum of the declared uncompressed sizes of all members (1 TiB). */
  public static final long DEFAULT_MAX_ZIP_TOTAL_UNCOMPRESSED = 1L << 40;

  /** Pickle emulation: opcodes executed per stream. */
  public static final long DEFAULT_MAX_PICKLE_OPCODES = 50_000_000L;

  /** Pickle emulation: memo entries. */
  public static final long DEFAULT_MAX_PICKLE_MEMO = 10_000_000L;

  /** Pickle emulation: stack/mark nesting and nested-pickle depth. */
  public static final int DEFAULT_MAX_PICKLE_DEPTH = 10_000;

  /** Chat templates and other text the scanner reads whole (16 MiB). */
  public static final long DEFAULT_MAX_TEXT_BYTES = 16L << 20;

  /**
   * GGUF {@code general.alignment} (1 MiB, the cap hardened ggml builds apply): up to alignment-1
   * padding bytes may follow the last tensor, so a huge alignment would let a file carry that much
   * unchecked trailing data.
   */
  public static final long DEFAULT_MAX_GGUF_ALIGNMENT = 1L << 20;

  /**
   * JSON side files read whole (shard indexes such as {@code model.safetensors.index.json},
   * configs): the safetensors header cap, since an index lists as many tensors as a header.
   */
  public static final long DEFAULT_MAX_JSON_FILE_BYTES = 100_000_000L;

  /** OMS signature bundles (Sigstore JSON) read whole before parsing (64 MiB). */
  public static final long DEFAULT_MAX_BUNDLE_BYTES = 64L << 20;

  /**
   * gzip/zlib streams that may wrap a pickle (joblib, pandas, numpy): bytes one stream may
   * decompress to (16 GiB).
   */
  public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = 16L << 30;

  /**
   * Decompressed bytes per compressed byte (deflate itself tops out near 1032:1), checked once a
   * stream has produced {@link DecompressedStream#RATIO_FLOOR} bytes.
   */
  public static final long DEFAULT_MAX_DECOMPRESSION_RATIO = 1000L;

  private static final ParseLimits DEFAULTS = builder().build();

  private final long maxSafetensorsHeaderBytes;
  private final long maxNpyHeaderBytes;
  private final long maxTensors;
  private final long maxMetadataEntries;
  private final long maxArrayElements;
  private final int maxRank;
  private final int maxJsonDepth;
  private final long maxZipTotalUncompressed;
  private final long maxPickleOpcodes;
  private final long maxPickleMemo;
  private final int maxPickleDepth;
  private final long maxTextBytes;
  private final long maxGgufAlignment;
  private final long maxJsonFileBytes;
  private final long maxBundleBytes;
  private final long maxDecompressedBytes;
  private final long maxDecompressionRatio;

  private ParseLimits(Builder b) {
    this.maxSafetensorsHeaderBytes = b.maxSafetensorsHeaderBytes;
    this.maxNpyHeaderBytes = b.maxNpyHeaderBytes;
    this.maxTensors = b.maxTensors;
    this.maxMetadataEntries = b.maxMetadataEntries;
    this.maxArrayElements = b.maxArrayElements;
    this.maxRank = b.maxRank;
    this.maxJsonDepth = b.maxJsonDepth;
    this.maxZipTotalUncompressed = b.maxZipTotalUncompressed;
    this.maxPickleOpcodes = b.maxPickleOpcodes;
    this.maxPickleMemo = b.maxPickleMemo;
    this.maxPickleDepth = b.maxPickleDepth;
    this.maxTextBytes = b.maxTextBytes;
    this.maxGgufAlignment = b.maxGgufAlignment;
    this.maxJsonFileBytes = b.maxJsonFileBytes;
    this.maxBundleBytes = b.maxBundleBytes;
    this.maxDecompressedBytes = b.maxDecompressedBytes;
    this.maxDecompressionRatio = b.maxDecompressionRatio;
  }

  public static ParseLimits defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxSafetensorsHeaderBytes = maxSafetensorsHeaderBytes;
    b.maxNpyHeaderBytes = maxNpyHeaderBytes;
    b.maxTensors = maxTensors;
    b.maxMetadataEntries = maxMetadataEntries;
    b.maxArrayElements = maxArrayElements;
    b.maxRank = maxRank;
    b.maxJsonDepth = maxJsonDepth;
    b.maxZipTotalUncompressed = maxZipTotalUncompressed;
    b.maxPickleOpcodes = maxPickleOpcodes;
    b.maxPickleMemo = maxPickleMemo;
    b.maxPickleDepth = maxPickleDepth;
    b.maxTextBytes = maxTextBytes;
    b.maxGgufAlignment = maxGgufAlignment;
    b.maxJsonFileBytes = maxJsonFileBytes;
    b.maxBundleBytes = maxBundleBytes;
    b.maxDecompressedBytes = maxDecompressedBytes;
    b.maxDecompressionRatio = maxDecompressionRatio;
    return b;
  }

  public long maxSafetensorsHeaderBytes() {
    return maxSafetensorsHeaderBytes;
  }

  public long maxNpyHeaderBytes() {
    return maxNpyHeaderBytes;
  }

  public long maxTensors() {
    return maxTensors;
  }

  public long maxMetadataEntries() {
    return maxMetadataEntries;
  }

  public long maxArrayElements() {
    return maxArrayElements;
  }

  public int maxRank() {
    return maxRank;
  }

  public int maxJsonDepth() {
    return maxJsonDepth;
  }

  public long maxZipTotalUncompressed() {
    return maxZipTotalUncompressed;
  }

  public long maxPickleOpcodes() {
    return maxPickleOpcodes;
  }

  public long maxPickleMemo() {
    return maxPickleMemo;
  }

  public int maxPickleDepth() {
    return maxPickleDepth;
  }

  public long maxTextBytes() {
    return maxTextBytes;
  }

  public long maxGgufAlignment() {
    return maxGgufAlignment;
  }

  public long maxJsonFileBytes() {
    return maxJsonFileBytes;
  }

  public long maxBundleBytes() {
    return maxBundleBytes;
  }

  public long maxDecompressedBytes() {
    return maxDecompressedBytes;
  }

  public long maxDecompressionRatio() {
    return maxDecompressionRatio;
  }

  /**
   * Throws {@link LimitExceededException} named {@code limit.<name>} when {@code value > max}.
   *
   * @param name the limit's name as it appears in the rule, e.g. {@code max-tensors}
   */
  public static void check(String name, long value, long max, Path file, long offset, String where)
      throws LimitExceededException {
    if (value > max || value < 0) {
      throw new LimitExceededException(name, value, max, file, offset, where);
    }
  }

  /** Builds {@link ParseLimits}; every setter rejects non-positive values. */
  public static final class Builder {
    private long maxSafetensorsHeaderBytes = DEFAULT_MAX_SAFETENSORS_HEADER_BYTES;
    private long maxNpyHeaderBytes = DEFAULT_MAX_NPY_HEADER_BYTES;
    private long maxTensors = DEFAULT_MAX_TENSORS;
    private long maxMetadataEntries = DEFAULT_MAX_METADATA_ENTRIES;
    private long maxArrayElements = DEFAULT_MAX_ARRAY_ELEMENTS;
    private int maxRank = DEFAULT_MAX_RANK;
    private int maxJsonDepth = DEFAULT_MAX_JSON_DEPTH;
    private long maxZipTotalUncompressed = DEFAULT_MAX_ZIP_TOTAL_UNCOMPRESSED;
    private long maxPickleOpcodes = DEFAULT_MAX_PICKLE_OPCODES;
    private long maxPickleMemo = DEFAULT_MAX_PICKLE_MEMO;
    private int maxPickleDepth = DEFAULT_MAX_PICKLE_DEPTH;
    private long maxTextBytes = DEFAULT_MAX_TEXT_BYTES;
    private long maxGgufAlignment = DEFAULT_MAX_GGUF_ALIGNMENT;
    private long maxJsonFileBytes = DEFAULT_MAX_JSON_FILE_BYTES;
    private long maxBundleBytes = DEFAULT_MAX_BUNDLE_BYTES;
    private long maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES;
    private long maxDecompressionRatio = DEFAULT_MAX_DECOMPRESSION_RATIO;

    private Builder() {}

    private static long positive(long v) {
      if (v <= 0) {
        throw new IllegalArgumentException("limits must be positive: " + v);
      }
      return v;
    }

    public Builder maxSafetensorsHeaderBytes(long v) {
      maxSafetensorsHeaderBytes = positive(v);
      return this;
    }

    public Builder maxNpyHeaderBytes(long v) {
      maxNpyHeaderBytes = positive(v);
      return this;
    }

    public Builder maxTensors(long v) {
      maxTensors = positive(v);
      return this;
    }

    public Builder maxMetadataEntries(long v) {
      maxMetadataEntries = positive(v);
      return this;
    }

    public Builder maxArrayElements(long v) {
      maxArrayElements = positive(v);
      return this;
    }

    public Builder maxRank(int v) {
      maxRank = (int) positive(v);
      return this;
    }

    public Builder maxJsonDepth(int v) {
      maxJsonDepth = (int) positive(v);
      return this;
    }

    public Builder maxZipTotalUncompressed(long v) {
      maxZipTotalUncompressed = positive(v);
      return this;
    }

    public Builder maxPickleOpcodes(long v) {
      maxPickleOpcodes = positive(v);
      return this;
    }

    public Builder maxPickleMemo(long v) {
      maxPickleMemo = positive(v);
      return this;
    }

    public Builder maxPickleDepth(int v) {
      maxPickleDepth = (int) positive(v);
      return this;
    }

    public Builder maxTextBytes(long v) {
      maxTextBytes = positive(v);
      return this;
    }

    public Builder maxGgufAlignment(long v) {
      maxGgufAlignment = positive(v);
      return this;
    }

    public Builder maxJsonFileBytes(long v) {
      maxJsonFileBytes = positive(v);
      return this;
    }

    public Builder maxBundleBytes(long v) {
      maxBundleBytes = positive(v);
      return this;
    }

    public Builder maxDecompressedBytes(long v) {
      maxDecompressedBytes = positive(v);
      return this;
    }

    public Builder maxDecompressionRatio(long v) {
      maxDecompressionRatio = positive(v);
      return this;
    }

    public ParseLimits build() {
      return new ParseLimits(this);
    }
  }
}
