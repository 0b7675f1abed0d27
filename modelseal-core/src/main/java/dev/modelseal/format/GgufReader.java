package dev.modelseal.format;

import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and fully validates the structure of a GGUF file (FORMATS.md, "GGUF"): header, metadata,
 * tensor infos and the data layout. Tensor data is never read: only the header region and the at
 * most alignment-1 padding bytes after the last tensor (checked for being zero).
 *
 * <p>Layout, little-endian: {@code "GGUF"} | u32 version | u64 tensor count | u64 kv count | kvs |
 * tensor infos | padding to the alignment | tensor data. Every count and length is bounded by the
 * bytes that remain and by {@link ParseLimits} before anything is sized from it.
 *
 * <p>Rules (each failure names one): header {@code gguf.bad-magic}, {@code gguf.truncated}, {@code
 * gguf.version-unsupported}, {@code gguf.version-obsolete}, {@code gguf.byte-swapped}, {@code
 * gguf.kv-count-exceeds-file}, {@code gguf.tensor-count-exceeds-file}; metadata {@code
 * gguf.key-empty}, {@code gguf.key-duplicate}, {@code gguf.value-type-unknown}, {@code
 * gguf.array-nested}, {@code gguf.string-exceeds-file}, {@code gguf.array-exceeds-file}, {@code
 * gguf.string-invalid-utf8}, {@code gguf.string-contains-nul}, {@code gguf.bool-invalid}, {@code
 * gguf.key-wrong-type}, {@code gguf.alignment-invalid}, {@code gguf.tokenizer-length-mismatch};
 * tensor infos {@code gguf.tensor-name-empty}, {@code gguf.tensor-name-too-long}, {@code
 * gguf.tensor-name-duplicate}, {@code gguf.tensor-rank-invalid}, {@code gguf.dimension-negative},
 * {@code gguf.element-count-overflow}, {@code gguf.tensor-type-retired}, {@code
 * gguf.tensor-type-unknown}, {@code gguf.row-not-whole-blocks}, {@code gguf.tensor-size-overflow};
 * layout {@code gguf.offset-misaligned}, {@code gguf.tensor-overlap}, {@code gguf.tensor-gap},
 * {@code gguf.tensor-out-of-bounds}, {@code gguf.trailing-data}; limits {@code limit.max-tensors},
 * {@code limit.max-metadata-entries}, {@code limit.max-array-elements}, {@code
 * limit.max-gguf-alignment}. Warning: {@code gguf.padding-not-zero}.
 */
public final class GgufReader {
  static final long DEFAULT_ALIGNMENT = 32;

  /** ggml's GGML_MAX_NAME: names are stored in a 64-byte C buffer including the NUL. */
  static final int MAX_TENSOR_NAME_BYTES = 63;

  /** ggml's GGML_MAX_DIMS. */
  static final int MAX_DIMS = 4;

  /** Smallest possible kv: non-empty key (8 + 1), type (4), one-byte value. */
  private static final long MIN_KV_BYTES = 14;

  /** Smallest possible tensor info: non-empty name (8 + 1), n_dims, type, offset. */
  private static final long MIN_TENSOR_INFO_BYTES = 25;

  private static final String ALIGNMENT_KEY = "general.alignment";
  private static final String TOKENS_KEY = "tokenizer.ggml.tokens";
  private static final String CHAT_TEMPLATE_KEY = "tokenizer.chat_template";

  /** Keys whose type readers rely on; a different type is a reject (see {@link #expected}). */
  private static final Map<String, Expect> KNOWN_KEYS =
      Map.ofEntries(
          Map.entry(ALIGNMENT_KEY, Expect.UINT32),
          Map.entry("general.architecture", Expect.STRING),
          Map.entry("general.name", Expect.STRING),
          Map.entry("general.file_type", Expect.UINT32),
          Map.entry("general.quantization_version", Expect.UINT32),
          Map.entry("tokenizer.ggml.model", Expect.STRING),
          Map.entry("tokenizer.ggml.pre", Expect.STRING),
          Map.entry(TOKENS_KEY, Expect.STRING_ARRAY),
          Map.entry("tokenizer.ggml.scores", Expect.FLOAT32_ARRAY),
          Map.entry("tokenizer.ggml.token_type", Expect.INT32_ARRAY),
          Map.entry("tokenizer.ggml.merges", Expect.STRING_ARRAY),
          Map.entry("tokenizer.ggml.added_tokens", Expect.STRING_ARRAY),
          Map.entry("tokenizer.ggml.bos_token_id", Expect.UINT32),
          Map.entry("tokenizer.ggml.eos_token_id", Expect.UINT32),
          Map.entry("tokenizer.ggml.unknown_token_id", Expect.UINT32),
          Map.entry("tokenizer.ggml.separator_token_id", Expect.UINT32),
          Map.entry("tokenizer.ggml.padding_token_id", Expect.UINT32),
          Map.entry(CHAT_TEMPLATE_KEY, Expect.STRING),
          Map.entry("tokenizer.chat_templates", Expect.STRING_ARRAY),
          Map.entry("tokenizer.huggingface.json", Expect.STRING));

  /** Arrays that llama.cpp indexes by token id without checking their length. */
  private static final List<String> PER_TOKEN_KEYS =
      List.of("tokenizer.ggml.scores", "tokenizer.ggml.token_type");

  private GgufReader() {}

  /**
   * Validates {@code file} as GGUF. The result keeps the file open; close it (or the file).
   *
   * @throws FormatException naming the broken {@code gguf.*} rule or {@code limit.*} limit
   */
  public static GgufFile read(ModelFile file, ParseLimits limits) throws FormatException {
    return parse(file, file.segment(), file.path(), limits);
  }

  /** Parses bytes with or without a {@link ModelFile} behind them (tests and fuzzing). */
  static GgufFile parse(ModelFile source, MemorySegment segment, Path path, ParseLimits limits)
      throws FormatException {
    return new GgufReader.Parse(new GgufCursor(segment.asReadOnly(), path), limits).run(source);
  }

  /** What a known key must hold. */
  private enum Expect {
    UINT32("uint32"),
    STRING("string"),
    STRING_ARRAY("array of string"),
    FLOAT32_ARRAY("array of float32"),
    // The spec says int32; mlx-lm writes uint32. llama.cpp reads either as 4-byte ints.
    INT32_ARRAY("array of int32 (or uint32)");

    private final String description;

    Expect(String description) {
      this.description = description;
    }

    boolean matches(GgufValue v) {
      return switch (this) {
        case UINT32 -> v.type() == GgufValueType.UINT32;
        case STRING -> v.type() == GgufValueType.STRING;
        case STRING_ARRAY ->
            v instanceof GgufValue.Array a && a.elementType() == GgufValueType.STRING;
        case FLOAT32_ARRAY ->
            v instanceof GgufValue.Array a && a.elementType() == GgufValueType.FLOAT32;
        case INT32_ARRAY ->
            v instanceof GgufValue.Array a
                && (a.elementType() == GgufValueType.INT32
                    || a.elementType() == GgufValueType.UINT32);
      };
    }
  }

  /**
   * The type a key must have, or null for keys we know nothing about. {@code
   * tokenizer.chat_template.<name>} are named templates; {@code tokenizer.chat_templates} (plural)
   * is the array listing their names.
   */
  private static Expect expected(String key) {
    Expect e = KNOWN_KEYS.get(key);
    if (e == null && key.startsWith(CHAT_TEMPLATE_KEY + ".")) {
      return Expect.STRING;
    }
    return e;
  }

  /** One parse: the cursor, the limits, and what has been read so far. */
  private static final class Parse {
    private final GgufCursor c;
    private final ParseLimits limits;
    private final Path file;

    Parse(GgufCursor c, ParseLimits limits) {
      this.c = c;
      this.limits = limits;
      this.file = c.file();
    }

    GgufFile run(ModelFile source) throws FormatException {
      c.need(4, "the magic", null);
      MemorySegment s = c.segment();
      if (s.get(ValueLayout.JAVA_BYTE, 0) != 'G'
          || s.get(ValueLayout.JAVA_BYTE, 1) != 'G'
          || s.get(ValueLayout.JAVA_BYTE, 2) != 'U'
          || s.get(ValueLayout.JAVA_BYTE, 3) != 'F') {
        throw c.error("gguf.bad-magic", 0, null, "file does not start with \"GGUF\"");
      }
      c.skip(4, "the magic", null);

      int version = version();

      long tensorCountAt = c.position();
      long tensorCount = c.u64("the tensor count", null);
      long kvCountAt = c.position();
      long kvCount = c.u64("the metadata count", null);
      checkLimit("max-tensors", tensorCount, limits.maxTensors(), tensorCountAt, null);
      checkLimit("max-metadata-entries", kvCount, limits.maxMetadataEntries(), kvCountAt, null);
      long minKvBytes = product(kvCount, MIN_KV_BYTES);
      if (minKvBytes > c.remaining()) {
        throw c.error(
            "gguf.kv-count-exceeds-file",
            kvCountAt,
            null,
            kvCount + " metadata entries cannot fit in the " + c.remaining() + " bytes left");
      }
      long minInfoBytes = product(tensorCount, MIN_TENSOR_INFO_BYTES);
      if (minInfoBytes > c.remaining() - minKvBytes) {
        throw c.error(
            "gguf.tensor-count-exceeds-file",
            tensorCountAt,
            null,
            tensorCount
                + " tensor infos cannot fit, after the metadata, in the "
                + c.remaining()
                + " bytes left");
      }

      Map<String, GgufValue> values = new LinkedHashMap<>();
      Map<String, Long> valueOffsets = new LinkedHashMap<>();
      for (long i = 0; i < kvCount; i++) {
        readKv(i, values, valueOffsets);
      }
      long alignment = alignment(values, valueOffsets);
      checkPerTokenLengths(values, valueOffsets);

      List<PendingTensor> pending = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (long i = 0; i < tensorCount; i++) {
        PendingTensor t = readTensorInfo(i);
        if (!names.add(t.name())) {
          throw c.error(
              "gguf.tensor-name-duplicate",
              t.infoAt(),
              t.name(),
              "tensor name is used by an earlier tensor");
        }
        pending.add(t);
      }
      return layout(source, version, alignment, values, pending);
    }

    private int version() throws FormatException {
      long at = c.position();
      long v = c.u32("the version", null);
      if (v == 0) {
        throw c.error("gguf.version-unsupported", at, null, "version 0 is not a GGUF version");
      }
      if ((v & 0xffff) == 0) {
        // A little-endian reader sees version 3 of a big-endian file as 0x03000000.
        throw c.error(
            "gguf.byte-swapped",
            at,
            null,
            "version " + v + " means a big-endian (byte-swapped) file; only little-endian is read");
      }
      if (v == 1) {
        throw c.error(
            "gguf.version-obsolete", at, null, "GGUF version 1 is obsolete (32-bit counts)");
      }
      if (v != 2 && v != 3) {
        throw c.error("gguf.version-unsupported", at, null, "version " + v + " (expected 2 or 3)");
      }
      return (int) v;
    }

    private void readKv(long index, Map<String, GgufValue> values, Map<String, Long> offsets)
        throws FormatException {
      long keyAt = c.position();
      String key = string("the key of metadata entry " + index, -1, null, Long.MAX_VALUE, null);
      if (key.isEmpty()) {
        throw c.error("gguf.key-empty", keyAt, null, "metadata entry " + index + " has no key");
      }
      if (values.containsKey(key)) {
        throw c.error(
            "gguf.key-duplicate",
            keyAt,
            null,
            "metadata key '" + FormatException.sanitize(key) + "' appears twice");
      }
      String what = "the value of '" + FormatException.sanitize(key) + "'";
      long typeAt = c.position();
      GgufValueType type = valueType(c.u32("the type of " + what, null), typeAt, what);
      GgufValue value = value(type, what);
      Expect expect = expected(key);
      if (expect != null && !expect.matches(value)) {
        throw c.error(
            "gguf.key-wrong-type",
            typeAt,
            null,
            "metadata key '"
                + FormatException.sanitize(key)
                + "' must be "
                + expect.description
                + ", not "
                + describe(value));
      }
      values.put(key, value);
      offsets.put(key, typeAt);
    }

    private GgufValueType valueType(long id, long at, String what) throws FormatException {
      return GgufValueType.fromId(id)
          .orElseThrow(
              () -> c.error("gguf.value-type-unknown", at, null, what + " has type id " + id));
    }

    private GgufValue value(GgufValueType type, String what) throws FormatException {
      return switch (type) {
        case STRING -> new GgufValue.Text(stringBytes(what, -1, null, Long.MAX_VALUE, null));
        case ARRAY -> array(what);
        case BOOL -> {
          long at = c.position();
          int b = c.u8(what, null);
          if (b > 1) {
            throw c.error("gguf.bool-invalid", at, null, what + " is a bool stored as " + b);
          }
          yield new GgufValue.Bool(b == 1);
        }
        default -> {
          long at = c.position();
          c.skip(type.size(), what, null);
          yield GgufCursor.scalar(type, c.segment(), at);
        }
      };
    }

    private GgufValue array(String what) throws FormatException {
      long elementTypeAt = c.position();
      GgufValueType elementType =
          valueType(c.u32("the element type of " + what, null), elementTypeAt, what);
      if (elementType == GgufValueType.ARRAY) {
        throw c.error("gguf.array-nested", elementTypeAt, null, what + " is an array of arrays");
      }
      long countAt = c.position();
      long count = c.u64("the length of " + what, null);
      checkLimit("max-array-elements", count, limits.maxArrayElements(), countAt, null);
      long start = c.position();
      long minBytes = product(count, elementType == GgufValueType.STRING ? 8 : elementType.size());
      if (minBytes > c.remaining()) {
        throw c.error(
            "gguf.array-exceeds-file",
            countAt,
            null,
            what
                + " declares "
                + count
                + " "
                + elementType.jsonName()
                + " elements, more than the "
                + c.remaining()
                + " bytes left can hold");
      }
      switch (elementType) {
        case STRING -> {
          for (long i = 0; i < count; i++) {
            stringBytes(what, i, null, Long.MAX_VALUE, null);
          }
        }
        case BOOL -> {
          for (long i = 0; i < count; i++) {
            long at = c.position();
            int b = c.u8(what, null);
            if (b > 1) {
              throw c.error(
                  "gguf.bool-invalid", at, null, what + " element " + i + " is stored as " + b);
            }
          }
        }
        default -> c.skip(minBytes, what, null);
      }
      return new GgufValue.Array(
          elementType, count, c.segment().asSlice(start, c.position() - start));
    }

    /**
     * A length-prefixed UTF-8 string's bytes, after the length has been bounded by the limits,
     * {@code maxBytes} (breaking it is {@code tooLongRule}) and the bytes left. {@code what} and
     * {@code element} (-1 for none) name it in messages; the name is only built on failure, as
     * vocabularies hold hundreds of thousands of strings.
     */
    private MemorySegment stringBytes(
        String what, long element, String location, long maxBytes, String tooLongRule)
        throws FormatException {
      long lengthAt = c.position();
      if (c.remaining() < 8) {
        c.need(8, "the length of " + label(what, element), location);
      }
      long length = c.u64("a string length", location);
      if (tooLongRule != null && Long.compareUnsigned(length, maxBytes) > 0) {
        throw c.error(
            tooLongRule,
            lengthAt,
            location,
            label(what, element)
                + " is "
                + Long.toUnsignedString(length)
                + " bytes long; at most "
                + maxBytes
                + " allowed");
      }
      checkLimit("max-array-elements", length, limits.maxArrayElements(), lengthAt, location);
      if (length > c.remaining()) {
        throw c.error(
            "gguf.string-exceeds-file",
            lengthAt,
            location,
            label(what, element)
                + " is "
                + length
                + " bytes long; only "
                + c.remaining()
                + " bytes are left");
      }
      long start = c.position();
      long flaw = StrictUtf8.firstFlaw(c.segment(), start, length);
      if (flaw >= 0) {
        boolean nul = c.segment().get(ValueLayout.JAVA_BYTE, flaw) == 0;
        throw c.error(
            nul ? "gguf.string-contains-nul" : "gguf.string-invalid-utf8",
            flaw,
            location,
            label(what, element) + (nul ? " contains a NUL byte" : " is not valid UTF-8"));
      }
      c.skip(length, what, location);
      return c.segment().asSlice(start, length);
    }

    private static String label(String what, long element) {
      return element < 0 ? what : what + " element " + element;
    }

    private String string(
        String what, long element, String location, long maxBytes, String tooLongRule)
        throws FormatException {
      MemorySegment bytes = stringBytes(what, element, location, maxBytes, tooLongRule);
      return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private long alignment(Map<String, GgufValue> values, Map<String, Long> offsets)
        throws FormatException {
      if (!(values.get(ALIGNMENT_KEY) instanceof GgufValue.Int a)) {
        return DEFAULT_ALIGNMENT; // the type was checked with the other known keys
      }
      long at = offsets.get(ALIGNMENT_KEY) + 4;
      long v = a.bits();
      if (v == 0 || (v & (v - 1)) != 0) {
        throw c.error(
            "gguf.alignment-invalid",
            at,
            null,
            ALIGNMENT_KEY + " is " + v + "; it must be a non-zero power of two");
      }
      checkLimit("max-gguf-alignment", v, limits.maxGgufAlignment(), at, null);
      return v;
    }

    private void checkPerTokenLengths(Map<String, GgufValue> values, Map<String, Long> offsets)
        throws FormatException {
      if (!(values.get(TOKENS_KEY) instanceof GgufValue.Array tokens)) {
        return;
      }
      for (String key : PER_TOKEN_KEYS) {
        if (values.get(key) instanceof GgufValue.Array a && a.length() != tokens.length()) {
          throw c.error(
              "gguf.tokenizer-length-mismatch",
              offsets.get(key),
              null,
              key
                  + " has "
                  + a.length()
                  + " entries but "
                  + TOKENS_KEY
                  + " has "
                  + tokens.length()
                  + " (llama.cpp indexes it by token id)");
        }
      }
    }

    private PendingTensor readTensorInfo(long index) throws FormatException {
      long infoAt = c.position();
      long nameAt = c.position();
      String name =
          string(
              "the name of tensor " + index,
              -1,
              null,
              MAX_TENSOR_NAME_BYTES,
              "gguf.tensor-name-too-long");
      if (name.isEmpty()) {
        throw c.error("gguf.tensor-name-empty", nameAt, null, "tensor " + index + " has no name");
      }
      long dimsAt = c.position();
      long nDims = c.u32("the rank", name);
      if (nDims > MAX_DIMS) {
        throw c.error(
            "gguf.tensor-rank-invalid",
            dimsAt,
            name,
            "tensor has " + nDims + " dimensions; at most " + MAX_DIMS + " allowed");
      }
      long[] ne = new long[(int) nDims];
      for (int j = 0; j < ne.length; j++) {
        long at = c.position();
        ne[j] = c.u64("dimension " + j, name);
        if (ne[j] < 0) {
          throw c.error(
              "gguf.dimension-negative",
              at,
              name,
              "dimension "
                  + j
                  + " is "
                  + Long.toUnsignedString(ne[j])
                  + ", negative as ggml's int64");
        }
      }
      // ggml rejects shapes whose element count does not fit in int64, even when the type's
      // bytes per element would make the byte count small.
      long elements = 1;
      for (long d : ne) {
        try {
          elements = Math.multiplyExact(elements, d);
        } catch (ArithmeticException e) {
          throw new FormatException(
              "gguf.element-count-overflow",
              file,
              dimsAt,
              name,
              "element count of shape " + java.util.Arrays.toString(ne) + " overflows 64 bits",
              e);
        }
      }
      long typeAt = c.position();
      long typeId = c.u32("the ggml type", name);
      if (GgmlType.isRetired(typeId)) {
        throw c.error(
            "gguf.tensor-type-retired",
            typeAt,
            name,
            "ggml type " + typeId + " was removed from ggml; its layout is undefined");
      }
      GgmlType type =
          GgmlType.fromId(typeId)
              .orElseThrow(
                  () ->
                      c.error(
                          "gguf.tensor-type-unknown", typeAt, name, "unknown ggml type " + typeId));
      long ne0 = ne.length == 0 ? 1 : ne[0];
      if (ne0 % type.blockElements() != 0) {
        throw c.error(
            "gguf.row-not-whole-blocks",
            typeAt,
            name,
            "row of "
                + ne0
                + " elements is not a whole number of "
                + type.name()
                + " blocks of "
                + type.blockElements());
      }
      long nbytes;
      try {
        nbytes = Math.multiplyExact(ne0 / type.blockElements(), (long) type.blockBytes());
        for (int j = 1; j < ne.length; j++) {
          nbytes = Math.multiplyExact(nbytes, ne[j]);
        }
      } catch (ArithmeticException e) {
        throw new FormatException(
            "gguf.tensor-size-overflow",
            file,
            typeAt,
            name,
            "byte size of " + type.name() + java.util.Arrays.toString(ne) + " overflows 64 bits",
            e);
      }
      long offsetAt = c.position();
      long offset = c.u64("the data offset", name);
      long[] shape = new long[ne.length];
      for (int j = 0; j < ne.length; j++) {
        shape[j] = ne[ne.length - 1 - j]; // ne is innermost first
      }
      return new PendingTensor(name, type, Shape.of(shape), nbytes, offset, infoAt, offsetAt);
    }

    /**
     * Places the tensors: ggml requires each at exactly the previous one's end padded to the
     * alignment, starting at 0, so the data is one gap-free, overlap-free run; at most alignment-1
     * padding bytes may follow it (ggml pads, MLX does not).
     */
    private GgufFile layout(
        ModelFile source,
        int version,
        long alignment,
        Map<String, GgufValue> values,
        List<PendingTensor> pending)
        throws FormatException {
      long size = c.size();
      long infosEnd = c.position();
      long dataStart = alignUp(infosEnd, alignment);
      if (!pending.isEmpty() && dataStart > size) {
        throw c.error(
            "gguf.truncated",
            infosEnd,
            null,
            "file ends inside the padding before the tensor data (data would start at "
                + dataStart
                + ")");
      }
      List<TensorInfo> tensors = new ArrayList<>(pending.size());
      List<GgmlType> types = new ArrayList<>(pending.size());
      long expected = 0;
      long dataEnd = infosEnd;
      for (PendingTensor t : pending) {
        long rel = t.relativeOffset();
        if (Long.remainderUnsigned(rel, alignment) != 0) {
          throw c.error(
              "gguf.offset-misaligned",
              t.offsetAt(),
              t.name(),
              "data offset "
                  + Long.toUnsignedString(rel)
                  + " is not a multiple of the alignment "
                  + alignment);
        }
        int cmp = Long.compareUnsigned(rel, expected);
        if (cmp != 0) {
          throw c.error(
              cmp < 0 ? "gguf.tensor-overlap" : "gguf.tensor-gap",
              t.offsetAt(),
              t.name(),
              "data offset "
                  + Long.toUnsignedString(rel)
                  + (cmp < 0 ? " overlaps the previous tensor" : " leaves a gap")
                  + "; ggml requires "
                  + expected
                  + " (the previous tensor's end padded to "
                  + alignment
                  + ")");
        }
        long start = dataStart + rel; // rel == expected <= size - dataStart: no overflow
        if (t.nbytes() > size - start) {
          throw c.error(
              "gguf.tensor-out-of-bounds",
              t.offsetAt(),
              t.name(),
              "data ["
                  + start
                  + ", "
                  + start
                  + " + "
                  + t.nbytes()
                  + ") runs past the end of the file ("
                  + size
                  + " bytes)");
        }
        tensors.add(new TensorInfo(t.name(), t.type().dtype(), t.shape(), start, t.nbytes()));
        types.add(t.type());
        dataEnd = start + t.nbytes();
        expected = rel + alignUp(t.nbytes(), alignment);
      }
      long allowedEnd = alignUp(dataEnd, alignment);
      if (size > allowedEnd) {
        throw c.error(
            "gguf.trailing-data",
            allowedEnd,
            null,
            (size - allowedEnd)
                + " bytes follow the "
                + (pending.isEmpty() ? "header" : "last tensor")
                + " and its padding to "
                + alignment
                + " (a second file may hide there)");
      }
      List<Problem> warnings = new ArrayList<>();
      checkPaddingZero(infosEnd, Math.min(dataStart, size), "before the tensor data", warnings);
      if (!pending.isEmpty()) {
        checkPaddingZero(dataEnd, size, "after the last tensor", warnings);
      }
      return new GgufFile(
          source, c.segment(), version, alignment, dataStart, values, tensors, types, warnings);
    }

    /** ggml and gguf-py write zeros; anything else there is data no reader looks at. */
    private void checkPaddingZero(long from, long to, String where, List<Problem> warnings) {
      MemorySegment s = c.segment();
      for (long i = from; i < to; i++) {
        if (s.get(ValueLayout.JAVA_BYTE, i) != 0) {
          String msg =
              new FormatException(
                      "gguf.padding-not-zero",
                      file,
                      i,
                      null,
                      "padding " + where + " holds non-zero bytes")
                  .getMessage();
          warnings.add(new Problem("gguf.padding-not-zero", msg));
          return;
        }
      }
    }

    private long alignUp(long v, long alignment) throws FormatException {
      try {
        return Math.addExact(v, alignment - 1) & -alignment;
      } catch (ArithmeticException e) {
        throw new FormatException(
            "gguf.tensor-out-of-bounds", file, -1, null, "offset overflows 64 bits", e);
      }
    }

    /** {@code count * unit}, saturating: the caller compares it with bytes left. */
    private static long product(long count, long unit) {
      try {
        return Math.multiplyExact(count, unit);
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }

    /** Like {@link ParseLimits#check}, reading {@code value} as unsigned 64 bits. */
    private void checkLimit(String name, long value, long max, long at, String location)
        throws LimitExceededException {
      if (Long.compareUnsigned(value, max) > 0) {
        throw new LimitExceededException(
            name, value < 0 ? Long.MAX_VALUE : value, max, file, at, location);
      }
    }
  }

  private static String describe(GgufValue v) {
    if (v instanceof GgufValue.Array a) {
      return "array of " + a.elementType().jsonName();
    }
    return v.type().jsonName();
  }

  /** A tensor info read but not yet placed. */
  private record PendingTensor(
      String name,
      GgmlType type,
      Shape shape,
      long nbytes,
      long relativeOffset,
      long infoAt,
      long offsetAt) {}
}
