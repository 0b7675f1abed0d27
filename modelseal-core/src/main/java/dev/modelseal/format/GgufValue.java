package dev.modelseal.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * One GGUF metadata value, already validated. Strings and arrays are views of the file's mapped
 * bytes, decoded only when asked for, so a 150k-token vocabulary costs no memory until it is read;
 * they stay readable as long as the {@link GgufFile} they came from is open.
 */
public sealed interface GgufValue
    permits GgufValue.Int, GgufValue.Real, GgufValue.Bool, GgufValue.Text, GgufValue.Array {

  GgufValueType type();

  /**
   * An integer of any width.
   *
   * @param type one of the eight integer types
   * @param bits the value; for {@code UINT64} the raw 64 bits (use {@link #exact()} or {@link
   *     #number()} to read values of 2^63 and above correctly)
   */
  record Int(GgufValueType type, long bits) implements GgufValue {
    public Int {
      Objects.requireNonNull(type, "type");
      if (!type.isInteger()) {
        throw new IllegalArgumentException("not an integer type: " + type);
      }
    }

    /** The exact value, unsigned for {@code UINT64}. */
    public BigInteger exact() {
      if (type == GgufValueType.UINT64 && bits < 0) {
        return new BigInteger(Long.toUnsignedString(bits));
      }
      return BigInteger.valueOf(bits);
    }

    /** A {@link Long}, or a {@link BigInteger} for a {@code UINT64} of 2^63 or more. */
    public Number number() {
      if (type == GgufValueType.UINT64 && bits < 0) {
        return exact();
      }
      return bits;
    }
  }

  /**
   * A {@code FLOAT32} (widened exactly) or {@code FLOAT64}.
   *
   * @param type {@code FLOAT32} or {@code FLOAT64}
   * @param value the value
   */
  record Real(GgufValueType type, double value) implements GgufValue {
    public Real {
      Objects.requireNonNull(type, "type");
      if (!type.isFloat()) {
        throw new IllegalArgumentException("not a float type: " + type);
      }
    }
  }

  /**
   * A {@code BOOL} (stored as the byte 0 or 1; other bytes are rejected).
   *
   * @param value the value
   */
  record Bool(boolean value) implements GgufValue {
    @Override
    public GgufValueType type() {
      return GgufValueType.BOOL;
    }
  }

  /** A {@code STRING}: validated UTF-8 without NUL, decoded on demand. */
  final class Text implements GgufValue {
    private final MemorySegment bytes;

    Text(MemorySegment bytes) {
      this.bytes = bytes;
    }

    @Override
    public GgufValueType type() {
      return GgufValueType.STRING;
    }

    /** Length of the UTF-8 encoding in bytes; check it before decoding untrusted text. */
    public long byteLength() {
      return bytes.byteSize();
    }

    /** The stored UTF-8 bytes, read-only. */
    public MemorySegment bytes() {
      return bytes;
    }

    /** The whole string, decoded (it is at most {@link ParseLimits#maxArrayElements()} bytes). */
    public String text() {
      return new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** Shows at most 64 characters: values come from untrusted files. */
    @Override
    public String toString() {
      String s = byteLength() > 256 ? "(" + byteLength() + " bytes)" : text();
      return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
  }

  /**
   * An {@code ARRAY} of one element type (never itself an array). Elements are decoded while
   * iterating; fixed-size elements can also be fetched by index.
   */
  final class Array implements GgufValue, Iterable<GgufValue> {
    private final GgufValueType elementType;
    private final long length;
    private final MemorySegment elements;

    Array(GgufValueType elementType, long length, MemorySegment elements) {
      this.elementType = elementType;
      this.length = length;
      this.elements = elements;
    }

    @Override
    public GgufValueType type() {
      return GgufValueType.ARRAY;
    }

    public GgufValueType elementType() {
      return elementType;
    }

    /** Number of elements. */
    public long length() {
      return length;
    }

    /**
     * The element at {@code index}. Constant time for fixed-size elements; strings are found by
     * walking the array from the start.
     */
    public GgufValue get(long index) {
      Objects.checkIndex(index, length);
      if (elementType == GgufValueType.STRING) {
        Iterator<GgufValue> it = iterator();
        for (long i = 0; i < index; i++) {
          it.next();
        }
        return it.next();
      }
      return GgufCursor.scalar(elementType, elements, index * elementType.size());
    }

    /** The first {@code min(n, length())} elements, decoded. */
    public List<GgufValue> head(int n) {
      List<GgufValue> out = new ArrayList<>((int) Math.min(Math.max(n, 0), length));
      Iterator<GgufValue> it = iterator();
      while (out.size() < n && it.hasNext()) {
        out.add(it.next());
      }
      return out;
    }

    @Override
    public Iterator<GgufValue> iterator() {
      return new Iterator<>() {
        private long index;
        private long offset;

        @Override
        public boolean hasNext() {
          return index < length;
        }

        @Override
        public GgufValue next() {
          if (index >= length) {
            throw new NoSuchElementException();
          }
          index++;
          if (elementType == GgufValueType.STRING) {
            long n = elements.get(GgufCursor.U64, offset);
            GgufValue v = new Text(elements.asSlice(offset + 8, n));
            offset += 8 + n;
            return v;
          }
          GgufValue v = GgufCursor.scalar(elementType, elements, offset);
          offset += elementType.size();
          return v;
        }
      };
    }

    @Override
    public String toString() {
      return "array<" + elementType.jsonName() + ">[" + length + "]";
    }
  }
}
