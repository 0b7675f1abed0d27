package dev.modelseal.format;

import com.fasterxml.jackson.core.JsonToken;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates a safetensors file: {@code u64 LE N | N bytes of UTF-8 JSON | data}, tensor
 * offsets relative to {@code 8+N}, half-open {@code [begin, end)} (FORMATS.md, "safetensors").
 *
 * <p>Only the header is read; tensor data is never touched here, so a file of any size validates in
 * the time it takes to parse its header. The rules are those of the reference implementation
 * (huggingface/safetensors {@code tensor.rs}) made strict where the reference is lenient or where
 * other readers (MLX) would read the file differently:
 *
 * <ul>
 *   <li>duplicate keys are rejected (the reference silently keeps the last one);
 *   <li>unknown fields in a tensor entry are rejected (the reference ignores them);
 *   <li>numbers must be plain non-negative integers that fit a signed 64-bit value;
 *   <li>the data region must be tiled exactly: no gaps, no overlaps, no trailing bytes.
 * </ul>
 *
 * <p>Accepted as the reference accepts them: leading and trailing JSON whitespace in the header (a
 * leading one is reported as a warning, since writers pad at the end), {@code "__metadata__": null}
 * (what MLX writes when given no metadata), zero-size and rank-0 tensors, and tensor names that are
 * any string, including the empty string (the reference's header is a map from arbitrary strings;
 * names are data, never paths, and are sanitised when printed).
 *
 * <p>Rule names: {@code safetensors.file-too-small}, {@code header-too-large}, {@code
 * header-beyond-file}, {@code header-not-utf8}, {@code header-not-json}, {@code header-not-object},
 * {@code header-duplicate-key}, {@code header-lone-surrogate}, {@code header-token-too-long},
 * {@code entry-not-object}, {@code missing-field}, {@code unknown-field}, {@code field-type},
 * {@code unknown-dtype}, {@code not-an-integer}, {@code negative-number}, {@code number-too-large},
 * {@code data-offsets-not-pair}, {@code offsets-reversed}, {@code metadata-not-string-map}, {@code
 * shape-overflow}, {@code sub-byte-misaligned}, {@code size-mismatch}, {@code
 * offsets-not-contiguous}, {@code data-truncated}, {@code trailing-bytes}; limits {@code
 * limit.max-rank}, {@code limit.max-tensors}, {@code limit.max-metadata-entries}; when streaming
 * data {@code safetensors.bool-not-0-or-1}. Warnings: {@code
 * safetensors.header-leading-whitespace}, {@code safetensors.dimension-above-int32}.
 */
public final class SafetensorsReader {
  /** The header-length prefix: one little-endian u64. */
  static final int PREFIX_BYTES = 8;

  private static final String METADATA_KEY = "__metadata__";
  private static final ValueLayout.OfLong U64_LE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private SafetensorsReader() {}

  /**
   * Opens {@code path} (see {@link ModelFile#open}) and reads it; the file is closed again if it is
   * not a valid safetensors file. The caller closes the returned file.
   */
  public static SafetensorsFile open(Path path, ParseLimits limits)
      throws IOException, FormatException {
    ModelFile file = ModelFile.open(path);
    try {
      return read(file, limits);
    } catch (FormatException | RuntimeException e) {
      try {
        file.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Validates the structure of {@code file} as safetensors. On success the returned object owns
   * {@code file} (closing it closes the file); on failure the caller still owns it.
   *
   * @throws LimitExceededException {@code limit.max-rank}, {@code limit.max-tensors}, {@code
   *     limit.max-metadata-entries} or {@code limit.max-json-depth}
   * @throws FormatException naming the broken rule, {@code safetensors.*}
   */
  public static SafetensorsFile read(ModelFile file, ParseLimits limits) throws FormatException {
    return new Parse(file, limits).run();
  }

  /**
   * True if the file starts like a safetensors file: a header length that fits the file and a
   * header whose first non-whitespace byte is '{'. Cheap (reads at most 72 bytes); it says nothing
   * about validity.
   */
  public static boolean recognizes(ModelFile file) {
    long size = file.size();
    if (size < PREFIX_BYTES + 2) {
      return false;
    }
    MemorySegment segment = file.segment();
    long n = segment.get(U64_LE, 0);
    if (n < 2 || n > size - PREFIX_BYTES) {
      return false;
    }
    long scan = Math.min(n, 64);
    for (long i = 0; i < scan; i++) {
      byte b = segment.get(ValueLayout.JAVA_BYTE, PREFIX_BYTES + i);
      if (b == '{') {
        return true;
      }
      if (!JsonTokens.isJsonWhitespace(b)) {
        return false;
      }
    }
    return false;
  }

  /** One tensor entry as the header declares it, before the cross-entry checks. */
  private record Entry(
      String name, DType dtype, Shape shape, long begin, long end, long headerOffset) {}

  /** The state of reading one file. */
  private static final class Parse {
    private final ModelFile file;
    private final Path path;
    private final ParseLimits limits;
    private final List<Problem> warnings = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private long dataStart;

    Parse(ModelFile file, ParseLimits limits) {
      this.file = file;
      this.path = file.path();
      this.limits = limits;
    }

    SafetensorsFile run() throws FormatException {
      long size = file.size();
      if (size < PREFIX_BYTES) {
        throw new FormatException(
            "safetensors.file-too-small",
            path,
            0,
            null,
            "file has " + size + " bytes, fewer than the 8-byte header length");
      }
      MemorySegment segment = file.segment();
      long n = segment.get(U64_LE, 0);
      // n < 0 is a u64 above 2^63. A Java array or string cannot exceed 2^31 - 1 either, whatever
      // the configured limit.
      long max = Math.min(limits.maxSafetensorsHeaderBytes(), Integer.MAX_VALUE - 16);
      if (n < 0 || n > max) {
        throw new FormatException(
            "safetensors.header-too-large",
            path,
            0,
            null,
            "header length "
                + Long.toUnsignedString(n)
                + " is above the limit of "
                + max
                + " bytes");
      }
      if (n > size - PREFIX_BYTES) {
        throw new FormatException(
            "safetensors.header-beyond-file",
            path,
            0,
            null,
            "header length " + n + " runs past the end of the file (" + size + " bytes)");
      }
      dataStart = PREFIX_BYTES + n;
      parseHeader(segment.asSlice(PREFIX_BYTES, n));
      List<TensorInfo> tensors = checkLayout(size);
      return new SafetensorsFile(file, n, metadata, tensors, warnings);
    }

    private void parseHeader(MemorySegment header) throws FormatException {
      try (JsonTokens json =
          JsonTokens.open(
              header.asByteBuffer(), limits, path, "safetensors.header", PREFIX_BYTES)) {
        JsonToken t = json.next();
        if (t == null) {
          throw new FormatException(
              "safetensors.header-not-json",
              path,
              PREFIX_BYTES,
              null,
              "header is empty or only whitespace");
        }
        if (t != JsonToken.START_OBJECT) {
          throw json.error(
              "safetensors.header-not-object",
              null,
              "header is " + describe(t) + ", not an object");
        }
        if (json.startsWithWhitespace()) {
          warnings.add(
              new Problem(
                  "safetensors.header-leading-whitespace",
                  path
                      + ": header starts with whitespace before '{' (accepted; writers pad at the"
                      + " end)"));
        }
        Set<String> keys = new HashSet<>();
        while ((t = json.nextInside()) != JsonToken.END_OBJECT) {
          String key = json.name();
          long keyOffset = json.tokenOffset();
          if (!keys.add(key)) {
            throw json.error(
                "safetensors.header-duplicate-key", key, "key appears twice in the header");
          }
          if (key.equals(METADATA_KEY)) {
            readMetadata(json);
          } else {
            if (entries.size() >= limits.maxTensors()) {
              throw new LimitExceededException(
                  "max-tensors", entries.size() + 1L, limits.maxTensors(), path, keyOffset, key);
            }
            entries.add(readEntry(json, key, keyOffset));
          }
        }
        json.expectEnd();
      }
    }

    private void readMetadata(JsonTokens json) throws FormatException {
      JsonToken t = json.nextInside();
      if (t == JsonToken.VALUE_NULL) {
        // MLX writes "__metadata__":null when it is given no metadata; the reference reads null
        // as "no metadata".
        return;
      }
      if (t != JsonToken.START_OBJECT) {
        throw json.error(
            "safetensors.metadata-not-string-map",
            null,
            "__metadata__ is " + describe(t) + ", not an object of strings");
      }
      while ((t = json.nextInside()) != JsonToken.END_OBJECT) {
        String key = json.name();
        if (metadata.containsKey(key)) {
          throw json.error(
              "safetensors.header-duplicate-key",
              null,
              "__metadata__ key '" + FormatException.sanitize(key) + "' appears twice");
        }
        if (metadata.size() >= limits.maxMetadataEntries()) {
          throw new LimitExceededException(
              "max-metadata-entries",
              metadata.size() + 1L,
              limits.maxMetadataEntries(),
              path,
              json.tokenOffset(),
              null);
        }
        t = json.nextInside();
        if (t != JsonToken.VALUE_STRING) {
          throw json.error(
              "safetensors.metadata-not-string-map",
              null,
              "__metadata__ value of '"
                  + FormatException.sanitize(key)
                  + "' is "
                  + describe(t)
                  + ", not a string");
        }
        metadata.put(key, json.string());
      }
    }

    private Entry readEntry(JsonTokens json, String name, long keyOffset) throws FormatException {
      if (json.nextInside() != JsonToken.START_OBJECT) {
        throw json.error("safetensors.entry-not-object", name, "tensor entry is not a JSON object");
      }
      DType dtype = null;
      long[] shape = null;
      long[] offsets = null;
      JsonToken t;
      while ((t = json.nextInside()) != JsonToken.END_OBJECT) {
        String field = json.name();
        switch (field) {
          case "dtype" -> {
            if (dtype != null) {
              throw duplicateField(json, name, field);
            }
            dtype = readDtype(json, name);
          }
          case "shape" -> {
            if (shape != null) {
              throw duplicateField(json, name, field);
            }
            shape = readIntegers(json, name, field, limits.maxRank());
          }
          case "data_offsets" -> {
            if (offsets != null) {
              throw duplicateField(json, name, field);
            }
            offsets = readIntegers(json, name, field, 2);
            if (offsets.length != 2) {
              throw json.error(
                  "safetensors.data-offsets-not-pair",
                  name,
                  "data_offsets has " + offsets.length + " entries, not 2");
            }
          }
          default ->
              throw json.error(
                  "safetensors.unknown-field",
                  name,
                  "unknown field '" + FormatException.sanitize(field) + "' in tensor entry");
        }
      }
      String missing =
          dtype == null
              ? "dtype"
              : shape == null ? "shape" : offsets == null ? "data_offsets" : null;
      if (missing != null) {
        throw new FormatException(
            "safetensors.missing-field", path, keyOffset, name, "tensor entry has no " + missing);
      }
      return new Entry(name, dtype, Shape.of(shape), offsets[0], offsets[1], keyOffset);
    }

    private static FormatException duplicateField(JsonTokens json, String name, String field) {
      return json.error(
          "safetensors.header-duplicate-key", name, "field '" + field + "' appears twice");
    }

    private static DType readDtype(JsonTokens json, String name) throws FormatException {
      JsonToken t = json.nextInside();
      if (t != JsonToken.VALUE_STRING) {
        throw json.error(
            "safetensors.field-type", name, "dtype is " + describe(t) + ", not a string");
      }
      String tag = json.string();
      return DType.safetensors(tag)
          .orElseThrow(
              () ->
                  json.error(
                      "safetensors.unknown-dtype",
                      name,
                      "unknown dtype '" + FormatException.sanitize(tag) + "'"));
    }

    /**
     * Reads an array of non-negative integers; more than {@code max} elements is {@code
     * limit.max-rank} for a shape and {@code safetensors.data-offsets-not-pair} for offsets.
     */
    private long[] readIntegers(JsonTokens json, String name, String field, int max)
        throws FormatException {
      JsonToken t = json.nextInside();
      if (t != JsonToken.START_ARRAY) {
        throw json.error(
            "safetensors.field-type",
            name,
            field + " is " + describe(t) + ", not an array of integers");
      }
      long[] values = new long[Math.min(max, 8)];
      int count = 0;
      while ((t = json.nextInside()) != JsonToken.END_ARRAY) {
        if (count == max) {
          if (field.equals("shape")) {
            throw new LimitExceededException(
                "max-rank", count + 1L, max, path, json.tokenOffset(), name);
          }
          throw json.error(
              "safetensors.data-offsets-not-pair", name, field + " has more than 2 entries");
        }
        if (count == values.length) {
          values = Arrays.copyOf(values, Math.min(max, values.length * 2));
        }
        values[count++] = nonNegativeInteger(json, t, name, field);
      }
      return Arrays.copyOf(values, count);
    }

    private static long nonNegativeInteger(JsonTokens json, JsonToken t, String name, String field)
        throws FormatException {
      switch (t) {
        case VALUE_NUMBER_INT -> {
          String text = json.text();
          if (text.startsWith("-")) {
            throw json.error(
                "safetensors.negative-number",
                name,
                field + " holds the negative number " + FormatException.sanitize(text));
          }
          try {
            return Long.parseLong(text);
          } catch (NumberFormatException e) {
            throw json.error(
                "safetensors.number-too-large",
                name,
                field + " holds " + FormatException.sanitize(text) + ", above 2^63-1");
          }
        }
        case VALUE_NUMBER_FLOAT ->
            throw json.error(
                "safetensors.not-an-integer",
                name,
                field + " holds " + FormatException.sanitize(json.text()) + ", not an integer");
        default ->
            throw json.error(
                "safetensors.field-type",
                name,
                field + " holds " + describe(t) + ", not an integer");
      }
    }

    /** Per-tensor size rules, then the tiling of the data region. */
    private List<TensorInfo> checkLayout(long size) throws FormatException {
      for (Entry e : entries) {
        checkSize(e);
      }
      List<Entry> sorted = new ArrayList<>(entries);
      // Stable: zero-size tensors sharing an offset stay in header order.
      sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
      long cursor = 0;
      for (Entry e : sorted) {
        if (e.begin() > cursor) {
          throw new FormatException(
              "safetensors.offsets-not-contiguous",
              path,
              absolute(cursor),
              e.name(),
              "gap of "
                  + (e.begin() - cursor)
                  + " bytes before the tensor (data_offsets begin "
                  + e.begin()
                  + ", previous data ends at "
                  + cursor
                  + ")");
        }
        if (e.begin() < cursor) {
          throw new FormatException(
              "safetensors.offsets-not-contiguous",
              path,
              absolute(e.begin()),
              e.name(),
              "overlaps the previous tensor by "
                  + (cursor - e.begin())
                  + " bytes (data_offsets begin "
                  + e.begin()
                  + ", previous data ends at "
                  + cursor
                  + ")");
        }
        cursor = e.end();
      }
      long dataLength = size - dataStart;
      if (cursor > dataLength) {
        throw new FormatException(
            "safetensors.data-truncated",
            path,
            size,
            sorted.getLast().name(),
            "tensor data ends at "
                + cursor
                + " but the data region has only "
                + dataLength
                + " bytes (file truncated?)");
      }
      if (cursor < dataLength) {
        throw new FormatException(
            "safetensors.trailing-bytes",
            path,
            dataStart + cursor,
            null,
            (dataLength - cursor)
                + " bytes follow the last tensor's data (a polyglot file hides content there)");
      }
      List<TensorInfo> tensors = new ArrayList<>(sorted.size());
      for (Entry e : sorted) {
        tensors.add(
            new TensorInfo(
                e.name(), e.dtype(), e.shape(), dataStart + e.begin(), e.end() - e.begin()));
      }
      return tensors;
    }

    private void checkSize(Entry e) throws FormatException {
      if (e.begin() > e.end()) {
        throw new FormatException(
            "safetensors.offsets-reversed",
            path,
            e.headerOffset(),
            e.name(),
            "data_offsets begin " + e.begin() + " is after end " + e.end());
      }
      DType dtype = e.dtype();
      // Exact for every safetensors dtype: 4 bits for F4, 6 for F6_*, 8..64 for the rest.
      long bitsPerElement = 8L * dtype.blockBytes() / dtype.blockElements();
      long bits;
      try {
        long elements = 1;
        // Left to right, as the reference multiplies.
        for (int i = 0; i < e.shape().rank(); i++) {
          elements = Math.multiplyExact(elements, e.shape().dim(i));
        }
        bits = Math.multiplyExact(elements, bitsPerElement);
      } catch (ArithmeticException overflow) {
        throw new FormatException(
            "safetensors.shape-overflow",
            path,
            e.headerOffset(),
            e.name(),
            "shape " + e.shape() + " of " + dtype + " overflows a 64-bit size");
      }
      if (bits % 8 != 0) {
        throw new FormatException(
            "safetensors.sub-byte-misaligned",
            path,
            e.headerOffset(),
            e.name(),
            "shape " + e.shape() + " of " + dtype + " is " + bits + " bits, not whole bytes");
      }
      long bytes = bits / 8;
      long declared = e.end() - e.begin();
      if (bytes != declared) {
        throw new FormatException(
            "safetensors.size-mismatch",
            path,
            e.headerOffset(),
            e.name(),
            "shape "
                + e.shape()
                + " of "
                + dtype
                + " needs "
                + bytes
                + " bytes but data_offsets span "
                + declared);
      }
      for (int i = 0; i < e.shape().rank(); i++) {
        if (e.shape().dim(i) > Integer.MAX_VALUE) {
          warnings.add(
              new Problem(
                  "safetensors.dimension-above-int32",
                  path
                      + ": tensor '"
                      + FormatException.sanitize(e.name())
                      + "' has dimension "
                      + e.shape().dim(i)
                      + ", above 2^31-1 (MLX stores shapes as int32 and would misread it)"));
          break;
        }
      }
    }

    /** Absolute file offset of a data-relative offset, or -1 (no offset) if it does not fit. */
    private long absolute(long relative) {
      return relative > Long.MAX_VALUE - dataStart ? -1 : dataStart + relative;
    }

    private static String describe(JsonToken t) {
      if (t == null) {
        return "missing";
      }
      return switch (t) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        case VALUE_STRING -> "a string";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case VALUE_NULL -> "null";
        default -> "unexpected JSON";
      };
    }
  }
}
