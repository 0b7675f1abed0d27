package dev.modelseal.format;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * Turns an npy array's stored bytes into its canonical bytes (C order, every scalar little-endian)
 * and hands them to a {@link CanonicalSink}, checking on the way that BOOL bytes are 0 or 1. The
 * one place where npy and npz data is byte-swapped and permuted.
 *
 * <p>Bytes arrive either sequentially in C order ({@link #write}, used for inflated npz members) or
 * as a random-access segment holding the whole data region ({@link #stream}), which may be in
 * Fortran order: that is permuted band by band through a fixed-size buffer, so memory stays flat
 * whatever the tensor's size.
 */
final class NpyCanonicalStream {
  /** Largest slice handed to the sink at once when bytes need no rewriting. */
  private static final int DIRECT_CHUNK = 1 << 20;

  /** Buffer for byte-swapping. A multiple of every scalar size, so scalars never straddle it. */
  private static final int SWAP_BUFFER = 1 << 16;

  /**
   * Output band for Fortran-to-C permutation: each band sweeps the whole stored array, so a larger
   * band means fewer sweeps (512 MiB F32 array: 3.4 s with 1 MiB bands, 2.6 s with 8 MiB).
   */
  static final int DEFAULT_BAND_BYTES = 8 << 20;

  private static final VarHandle SHORTS =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final long NOT_BOOL_BITS = 0xFEFEFEFEFEFEFEFEL;

  private final NpyArray array;
  private final CanonicalSink sink;
  private final NpyHeader.Where where;
  private final int swapUnit;
  private final boolean bool;
  private final byte[] swapBuffer;
  private int buffered;
  private long written;

  NpyCanonicalStream(NpyArray array, CanonicalSink sink, NpyHeader.Where where) {
    this.array = array;
    this.sink = sink;
    this.where = where;
    this.swapUnit = array.swaps() ? array.dtype().scalarBytes() : 1;
    this.bool = array.dtype().tag().equals("BOOL");
    this.swapBuffer = swapUnit > 1 ? new byte[SWAP_BUFFER] : null;
  }

  /**
   * Streams a whole data region that is available for random access (a mapped npy file or stored
   * npz member, or an inflated copy), permuting Fortran order if needed.
   */
  static void stream(MemorySegment data, NpyArray array, CanonicalSink sink, NpyHeader.Where where)
      throws IOException, FormatException {
    stream(data, array, sink, where, DEFAULT_BAND_BYTES);
  }

  static void stream(
      MemorySegment data, NpyArray array, CanonicalSink sink, NpyHeader.Where where, int band)
      throws IOException, FormatException {
    if (data.byteSize() != array.dataBytes()) {
      throw new IllegalArgumentException(
          "data region is " + data.byteSize() + " bytes, array needs " + array.dataBytes());
    }
    NpyCanonicalStream out = new NpyCanonicalStream(array, sink, where);
    if (array.permutes()) {
      new FortranPermutation(data, array.shape().toArray(), array.itemBytes(), band, out).run();
    } else {
      long size = data.byteSize();
      for (long off = 0; off < size; off += MappedPages.RELEASE_BYTES) {
        MemorySegment part = data.asSlice(off, Math.min(MappedPages.RELEASE_BYTES, size - off));
        out.write(part);
        MappedPages.release(part);
      }
    }
    out.finish();
  }

  /** Accepts the next element bytes in C order; chunk boundaries may split scalars. */
  void write(MemorySegment src) throws IOException, FormatException {
    long len = src.byteSize();
    if (len > array.dataBytes() - written) {
      throw new IllegalStateException("more bytes than the array holds");
    }
    if (swapUnit == 1) {
      if (bool) {
        checkBool(src, written);
      }
      for (long off = 0; off < len; off += DIRECT_CHUNK) {
        long n = Math.min(DIRECT_CHUNK, len - off);
        sink.accept(src.asSlice(off, n).asByteBuffer().asReadOnlyBuffer());
      }
      written += len;
      return;
    }
    long off = 0;
    while (off < len) {
      int n = (int) Math.min(len - off, swapBuffer.length - buffered);
      MemorySegment.copy(src, ValueLayout.JAVA_BYTE, off, swapBuffer, buffered, n);
      buffered += n;
      off += n;
      if (buffered == swapBuffer.length) {
        flushSwapped();
      }
    }
    written += len;
  }

  /** Flushes what is buffered; the array's bytes must all have been written. */
  void finish() throws IOException {
    if (written != array.dataBytes()) {
      throw new IllegalStateException(
          "wrote " + written + " of " + array.dataBytes() + " canonical bytes");
    }
    if (buffered > 0) {
      flushSwapped();
    }
  }

  private void flushSwapped() throws IOException {
    byte[] b = swapBuffer;
    int n = buffered;
    switch (swapUnit) {
      case 2 -> {
        for (int i = 0; i < n; i += 2) {
          SHORTS.set(b, i, Short.reverseBytes((short) SHORTS.get(b, i)));
        }
      }
      case 4 -> {
        for (int i = 0; i < n; i += 4) {
          INTS.set(b, i, Integer.reverseBytes((int) INTS.get(b, i)));
        }
      }
      case 8 -> {
        for (int i = 0; i < n; i += 8) {
          LONGS.set(b, i, Long.reverseBytes((long) LONGS.get(b, i)));
        }
      }
      default -> throw new IllegalStateException("no swap for scalars of " + swapUnit + " bytes");
    }
    sink.accept(java.nio.ByteBuffer.wrap(b, 0, n).asReadOnlyBuffer());
    buffered = 0;
  }

  /** BOOL elements are one byte each, so the element index is {@code first + i}. */
  private void checkBool(MemorySegment src, long first) throws FormatException {
    long len = src.byteSize();
    long i = 0;
    for (; i + 8 <= len; i += 8) {
      if ((src.get(ValueLayout.JAVA_LONG_UNALIGNED, i) & NOT_BOOL_BITS) != 0) {
        break;
      }
    }
    for (; i < len; i++) {
      byte v = src.get(ValueLayout.JAVA_BYTE, i);
      if (v != 0 && v != 1) {
        throw where.error(
            "npy.bool-not-0-or-1",
            -1,
            String.format(
                Locale.ROOT,
                "BOOL element %d (C order) is byte 0x%02x, not 0 or 1",
                first + i,
                v & 0xff));
      }
    }
  }

  /**
   * Fortran-to-C permutation of a random-access data region. Output rows of the outermost C axis
   * that fit the band buffer together are gathered in one sweep over the stored columns, each
   * column contributing a run of elements that are contiguous in storage; a row too big for the
   * band is split along the next axis, recursively, down to single elements.
   */
  private static final class FortranPermutation {
    private final MemorySegment data;
    private final int item;
    private final int bandBytes;
    private final NpyCanonicalStream out;
    private final long[] dims;
    private final long[] stride;
    private final long[] suffix;
    private final long[] index;
    private final MemorySegment bandSegment;

    FortranPermutation(
        MemorySegment data, long[] shape, int item, int bandBytes, NpyCanonicalStream out) {
      this.data = data;
      this.item = item;
      this.bandBytes = bandBytes;
      this.out = out;
      // Axes of length 1 do not move any element; dropping them keeps the loops short.
      this.dims = Arrays.stream(shape).filter(d -> d != 1).toArray();
      int k = dims.length;
      this.stride = new long[k];
      this.suffix = new long[k + 1];
      this.index = new long[k];
      suffix[k] = 1;
      for (int j = k - 1; j >= 0; j--) {
        suffix[j] = suffix[j + 1] * dims[j];
      }
      for (int j = 0; j < k; j++) {
        stride[j] = j == 0 ? 1 : stride[j - 1] * dims[j - 1];
      }
      this.bandSegment = MemorySegment.ofArray(new byte[bandBytes]);
    }

    void run() throws IOException, FormatException {
      if (suffix[0] == 0) {
        return;
      }
      emit(0, 0);
    }

    /** Writes, in C order, the sub-array of axes {@code a..} whose first element is at base. */
    private void emit(int a, long base) throws IOException, FormatException {
      int k = dims.length;
      if (a == k) {
        out.write(data.asSlice(base * item, item));
        return;
      }
      long rowElems = suffix[a + 1];
      long rowBytes = rowElems * item;
      if (rowBytes > bandBytes) {
        for (long i = 0; i < dims[a]; i++) {
          emit(a + 1, base + i * stride[a]);
        }
        return;
      }
      long rowsPerBand = Math.min(dims[a], bandBytes / rowBytes);
      for (long start = 0; start < dims[a]; start += rowsPerBand) {
        long rows = Math.min(rowsPerBand, dims[a] - start);
        Arrays.fill(index, 0);
        long src = base + start * stride[a];
        long dst = 0;
        for (long e = 0; e < rowElems; e++) {
          for (long r = 0; r < rows; r++) {
            copy((src + r * stride[a]) * item, (r * rowElems + dst) * item);
          }
          // Next column in storage order: axis a+1 fastest, as Fortran stores them.
          for (int j = a + 1; j < k; j++) {
            index[j]++;
            src += stride[j];
            dst += suffix[j + 1];
            if (index[j] < dims[j]) {
              break;
            }
            src -= stride[j] * dims[j];
            dst -= suffix[j + 1] * dims[j];
            index[j] = 0;
          }
        }
        out.write(bandSegment.asSlice(0, rows * rowBytes));
        // The band gathered elements from across the stored array: hand those pages back, or a
        // large Fortran array would end up wholly resident.
        long first = base + start * stride[a];
        long last = first + (rows - 1) * stride[a];
        for (int j = a + 1; j < k; j++) {
          last += (dims[j] - 1) * stride[j];
        }
        MappedPages.release(data.asSlice(first * item, (last - first + 1) * item));
      }
    }

    private void copy(long from, long to) {
      switch (item) {
        case 1 -> bandSegment.set(ValueLayout.JAVA_BYTE, to, data.get(ValueLayout.JAVA_BYTE, from));
        case 2 ->
            bandSegment.set(
                ValueLayout.JAVA_SHORT_UNALIGNED,
                to,
                data.get(ValueLayout.JAVA_SHORT_UNALIGNED, from));
        case 4 ->
            bandSegment.set(
                ValueLayout.JAVA_INT_UNALIGNED, to, data.get(ValueLayout.JAVA_INT_UNALIGNED, from));
        case 8 ->
            bandSegment.set(
                ValueLayout.JAVA_LONG_UNALIGNED,
                to,
                data.get(ValueLayout.JAVA_LONG_UNALIGNED, from));
        default -> MemorySegment.copy(data, from, bandSegment, to, item);
      }
    }
  }
}
