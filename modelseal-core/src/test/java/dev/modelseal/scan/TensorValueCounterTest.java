package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorValueCounterTest {
  static ByteBuffer floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.flip();
  }

  static ByteBuffer doubles(double... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.flip();
  }

  static ByteBuffer shorts(int... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int s : v) {
      b.putShort((short) s);
    }
    return b.flip();
  }

  static TensorValueCounter count(DType dtype, ByteBuffer... chunks) {
    TensorValueCounter c = new TensorValueCounter(dtype);
    for (ByteBuffer b : chunks) {
      c.accept(b);
    }
    return c;
  }

  @Test
  void accept_f32WithNaNAndInfinities_countsEach() {
    TensorValueCounter c =
        count(
            DType.F32,
            floats(1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -2.5f),
            floats(Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffffffff)));
    assertThat(c.nan()).isEqualTo(3);
    assertThat(c.infinite()).isEqualTo(2);
    assertThat(c.scalars()).isEqualTo(7);
    assertThat(c.allZero()).isFalse();
  }

  @Test
  void accept_f32LargestFiniteAndSubnormal_notSpecial() {
    TensorValueCounter c =
        count(DType.F32, floats(Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE));
    assertThat(c.nan()).isZero();
    assertThat(c.infinite()).isZero();
    assertThat(c.allZero()).isFalse();
  }

  @Test
  void accept_positiveAndNegativeZeros_allZero() {
    assertThat(count(DType.F32, floats(0f, -0f, 0f)).allZero()).isTrue();
    assertThat(count(DType.F64, doubles(-0d, 0d)).allZero()).isTrue();
    assertThat(count(DType.F16, shorts(0x8000, 0)).allZero()).isTrue();
    assertThat(count(DType.BF16, shorts(0x8000, 0x8000)).allZero()).isTrue();
  }

  @Test
  void accept_smallestF16Subnormal_notAllZero() {
    assertThat(count(DType.F16, shorts(0, 0x8001)).allZero()).isFalse();
  }

  @Test
  void accept_f16Specials_countedByHalfPrecisionLayout() {
    // 0x7c00 +inf, 0xfc00 -inf, 0x7e00 NaN, 0x7bff largest finite, 0x3c00 one.
    TensorValueCounter c = count(DType.F16, shorts(0x7c00, 0xfc00, 0x7e00, 0x7bff, 0x3c00));
    assertThat(c.infinite()).isEqualTo(2);
    assertThat(c.nan()).isEqualTo(1);
  }

  @Test
  void accept_bf16Specials_countedByBfloat16Layout() {
    // 0x7f80 +inf, 0x7fc0 NaN, 0xff81 NaN, 0x7f7f largest finite; 0x7c00 is a normal bf16.
    TensorValueCounter c = count(DType.BF16, shorts(0x7f80, 0x7fc0, 0xff81, 0x7f7f, 0x7c00));
    assertThat(c.infinite()).isEqualTo(1);
    assertThat(c.nan()).isEqualTo(2);
  }

  @Test
  void accept_f64Specials_counted() {
    TensorValueCounter c =
        count(DType.F64, doubles(Double.NaN, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, 1));
    assertThat(c.nan()).isEqualTo(1);
    assertThat(c.infinite()).isEqualTo(1);
  }

  @Test
  void accept_complexTypes_eachHalfCounted() {
    TensorValueCounter c64 = count(DType.C64, floats(Float.NaN, 1f, 2f, Float.NaN));
    assertThat(c64.nan()).isEqualTo(2);
    assertThat(c64.scalars()).isEqualTo(4);
    TensorValueCounter c128 = count(DType.C128, doubles(0, Double.POSITIVE_INFINITY));
    assertThat(c128.infinite()).isEqualTo(1);
  }

  @Test
  void accept_chunksSplittingScalars_carriedOver() {
    ByteBuffer all = floats(1f, Float.NaN, 2f, Float.POSITIVE_INFINITY);
    byte[] b = new byte[16];
    all.get(b);
    TensorValueCounter c = new TensorValueCounter(DType.F32);
    // 3 + 1 + 6 + 6 bytes: the first NaN arrives over two chunks, the infinity over two more.
    c.accept(ByteBuffer.wrap(b, 0, 3));
    c.accept(ByteBuffer.wrap(b, 3, 1));
    c.accept(ByteBuffer.wrap(b, 4, 6));
    c.accept(ByteBuffer.wrap(b, 10, 6));
    assertThat(c.nan()).isEqualTo(1);
    assertThat(c.infinite()).isEqualTo(1);
    assertThat(c.scalars()).isEqualTo(4);
  }

  @Test
  void accept_directBufferChunk_readLikeHeap() {
    ByteBuffer direct = ByteBuffer.allocateDirect(12).order(ByteOrder.LITTLE_ENDIAN);
    direct.putFloat(Float.NaN).putFloat(0f).putFloat(Float.NEGATIVE_INFINITY).flip();
    TensorValueCounter c = count(DType.F32, direct.asReadOnlyBuffer());
    assertThat(c.nan()).isEqualTo(1);
    assertThat(c.infinite()).isEqualTo(1);
  }

  @Test
  void accept_integerTypes_onlyAllZeroBytes() {
    // An I32 whose bits read as a float NaN is just an integer.
    TensorValueCounter ints = count(DType.I32, floats(Float.NaN));
    assertThat(ints.decoding()).isEqualTo(TensorValueCounter.Decoding.BYTES);
    assertThat(ints.nan()).isZero();
    assertThat(ints.allZero()).isFalse();
    assertThat(count(DType.I64, ByteBuffer.allocate(19)).allZero()).isTrue();
    ByteBuffer oneBitSet = ByteBuffer.allocate(19);
    oneBitSet.put(18, (byte) 0x10);
    assertThat(count(DType.U8, oneBitSet).allZero()).isFalse();
  }

  @Test
  void accept_quantizedBlocks_onlyAllZeroBytes() {
    DType q8 = DType.ggmlBlocks("Q8_0", 32, 34);
    assertThat(count(q8, ByteBuffer.allocate(68)).allZero()).isTrue();
  }

  @Test
  void accept_nothing_notAllZero() {
    assertThat(new TensorValueCounter(DType.F32).allZero()).isFalse();
  }
}
