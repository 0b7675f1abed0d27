package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyCanonicalStreamTest {
  private static final NpyHeader.Where NOWHERE = new NpyHeader.Where(null, -1, null);

  private static NpyArray array(String descr, boolean fortran, long... shape) throws Exception {
    return NpyArray.resolve(
        new NpyHeader(1, 0, descr, fortran, Shape.of(shape), 0, List.of()), NOWHERE);
  }

  private static byte[] stream(MemorySegment data, NpyArray a, int band, List<Integer> chunks)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NpyCanonicalStream.stream(
        data,
        a,
        chunk -> {
          chunks.add(chunk.remaining());
          byte[] b = new byte[chunk.remaining()];
          chunk.duplicate().get(b);
          out.writeBytes(b);
        },
        NOWHERE,
        band);
    return out.toByteArray();
  }

  /** The element at C index {@code c} sits at this Fortran index. */
  private static long fortranIndex(long c, long[] shape) {
    long f = 0;
    long stride = 1;
    long rest = c;
    long[] idx = new long[shape.length];
    for (int j = shape.length - 1; j >= 0; j--) {
      idx[j] = rest % shape[j];
      rest /= shape[j];
    }
    for (int j = 0; j < shape.length; j++) {
      f += idx[j] * stride;
      stride *= shape[j];
    }
    return f;
  }

  static Stream<Arguments> permutations() {
    List<Arguments> out = new ArrayList<>();
    long[][] shapes = {
      {2, 3},
      {3, 2},
      {4, 1, 3},
      {2, 3, 4},
      {2, 3, 4, 5},
      {5, 1, 1, 2},
      {1, 7, 1, 3},
      {3, 3, 3, 3, 2}
    };
    String[] descrs = {"|u1", "<i2", "|V3", "<f4", ">f4", "<f8", ">c8", ">c16", "|V24"};
    int[] bands = {1, 5, 16, 40, 1 << 20};
    for (long[] s : shapes) {
      for (String d : descrs) {
        for (int b : bands) {
          out.add(Arguments.of(d, s, b));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} band {2}")
  @MethodSource("permutations")
  void stream_fortranOrder_equalsNaivePermutation(String descr, long[] shape, int band)
      throws Exception {
    NpyArray a = array(descr, true, shape);
    int item = a.itemBytes();
    byte[] stored = new byte[(int) a.dataBytes()];
    new Random(shape.length * 31L + item).nextBytes(stored);

    byte[] expected = new byte[stored.length];
    long count = a.elementCount();
    for (long c = 0; c < count; c++) {
      System.arraycopy(
          stored, (int) (fortranIndex(c, shape) * item), expected, (int) (c * item), item);
    }
    if (a.swaps()) {
      int unit = a.dtype().scalarBytes();
      for (int i = 0; i < expected.length; i += unit) {
        for (int k = 0; k < unit / 2; k++) {
          byte t = expected[i + k];
          expected[i + k] = expected[i + unit - 1 - k];
          expected[i + unit - 1 - k] = t;
        }
      }
    }
    List<Integer> chunks = new ArrayList<>();
    assertThat(stream(MemorySegment.ofArray(stored), a, band, chunks)).isEqualTo(expected);
  }

  @Test
  void stream_largeCOrderData_chunksStayBounded() throws Exception {
    NpyArray a = array(">i4", false, 1 << 20);
    byte[] stored = new byte[(int) a.dataBytes()];
    List<Integer> chunks = new ArrayList<>();
    byte[] out = stream(MemorySegment.ofArray(stored), a, 1 << 20, chunks);
    assertThat(out).hasSize(stored.length);
    assertThat(chunks).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1 << 20));
  }

  @Test
  void stream_largeFortranData_chunksStayWithinTheBand() throws Exception {
    NpyArray a = array("<f8", true, 700, 900);
    byte[] stored = new byte[(int) a.dataBytes()];
    ByteBuffer.wrap(stored).asLongBuffer().put(0, 42L);
    List<Integer> chunks = new ArrayList<>();
    byte[] out = stream(MemorySegment.ofArray(stored), a, 64 << 10, chunks);
    assertThat(out).hasSize(stored.length);
    assertThat(chunks).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(64 << 10));
  }

  @Test
  void write_sequentialChunksSplittingScalars_swapsCorrectly() throws Exception {
    NpyArray a = array(">u4", false, 5);
    byte[] stored = {0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NpyCanonicalStream s =
        new NpyCanonicalStream(
            a,
            chunk -> {
              byte[] b = new byte[chunk.remaining()];
              chunk.get(b);
              out.writeBytes(b);
            },
            NOWHERE);
    MemorySegment seg = MemorySegment.ofArray(stored);
    s.write(seg.asSlice(0, 3));
    s.write(seg.asSlice(3, 6));
    s.write(seg.asSlice(9, 11));
    s.finish();
    assertThat(out.toByteArray())
        .containsExactly(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 4, 3, 2, 1);
  }
}
