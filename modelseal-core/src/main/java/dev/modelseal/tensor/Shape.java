package dev.modelseal.tensor;

import java.util.Arrays;
import java.util.OptionalLong;

/** A row-major tensor shape (outermost dimension first). Rank 0 is a scalar. Immutable. */
public final class Shape {
  private static final Shape SCALAR = new Shape(new long[0]);

  private final long[] dims;

  private Shape(long[] dims) {
    this.dims = dims;
  }

  /** Copies {@code dims}; every dimension must be non-negative. */
  public static Shape of(long... dims) {
    if (dims.length == 0) {
      return SCALAR;
    }
    long[] copy = dims.clone();
    for (long d : copy) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension " + d);
      }
    }
    return new Shape(copy);
  }

  public static Shape scalar() {
    return SCALAR;
  }

  public int rank() {
    return dims.length;
  }

  public long dim(int i) {
    return dims[i];
  }

  public long[] toArray() {
    return dims.clone();
  }

  /** Product of the dimensions (1 for a scalar), or empty if it overflows a signed 64-bit value. */
  public OptionalLong elementCount() {
    long n = 1;
    for (long d : dims) {
      if (d == 0) {
        return OptionalLong.of(0);
      }
    }
    for (long d : dims) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(n);
  }

  /** Reversed dimensions (GGUF stores {@code ne} innermost first). */
  public Shape reversed() {
    long[] r = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      r[i] = dims[dims.length - 1 - i];
    }
    return new Shape(r);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code [2, 3]}; a scalar is {@code []}. */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
