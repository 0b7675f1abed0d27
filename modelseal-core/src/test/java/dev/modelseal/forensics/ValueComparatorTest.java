package dev.modelseal.forensics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelseal.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ValueComparatorTest {

  private static MemorySegment f32(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return MemorySegment.ofArray(b.array());
  }

  @Test
  void compare_identicalF32_noChanges() {
    ValueStats s = ValueComparator.compare(DType.F32, f32(1, 2, 3), f32(1, 2, 3));
    assertThat(s.changed()).isZero();
    assertThat(s.elements()).isEqualTo(3);
    assertThat(s.maxAbsDiff()).hasValue(0.0);
    assertThat(s.relativeL2()).hasValue(0.0);
  }

  @Test
  void compare_oneF32Changed_countsAndMagnitudes() {
    ValueStats s = ValueComparator.compare(DType.F32, f32(3, 0, 4), f32(3, 0, 4.5f));
    assertThat(s.changed()).isEqualTo(1);
    assertThat(s.changedFraction()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(s.maxAbsDiff().getAsDouble()).isCloseTo(0.5, within(1e-9));
    // ||diff|| = 0.5, ||a|| = 5
    assertThat(s.relativeL2().getAsDouble()).isCloseTo(0.1, within(1e-9));
    assertThat(s.numeric()).isTrue();
  }

  @Test
  void compare_nanAndInfIntroduced_counted() {
    ValueStats s =
        ValueComparator.compare(
            DType.F32, f32(1, 2, Float.NaN), f32(Float.NaN, Float.POSITIVE_INFINITY, Float.NaN));
    assertThat(s.changed()).isEqualTo(2);
    assertThat(s.nanIntroduced()).isEqualTo(1);
    assertThat(s.infIntroduced()).isEqualTo(1);
    assertThat(s.maxAbsDiff()).isEmpty();
  }

  @Test
  void compare_negativeZero_isAChange() {
    ValueStats s = ValueComparator.compare(DType.F32, f32(0f), f32(-0f));
    assertThat(s.changed()).isEqualTo(1);
    assertThat(s.maxAbsDiff()).hasValue(0.0);
  }

  @Test
  void compare_bf16_decodesUpperHalfOfFloat() {
    short one = (short) (Float.floatToIntBits(1.0f) >>> 16);
    short two = (short) (Float.floatToIntBits(2.0f) >>> 16);
    ByteBuffer a =
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort(one).putShort(one);
    ByteBuffer b =
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort(one).putShort(two);
    ValueStats s =
        ValueComparator.compare(
            DType.BF16, MemorySegment.ofArray(a.array()), MemorySegment.ofArray(b.array()));
    assertThat(s.changed()).isEqualTo(1);
    assertThat(s.maxAbsDiff().getAsDouble()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void compare_quantizedBlocks_comparedPerBlockNotNumerically() {
    DType q = DType.ggmlBlocks("Q4_0", 32, 18);
    byte[] a = new byte[18 * 3];
    byte[] b = a.clone();
    b[18 + 5] ^= 1;
    ValueStats s = ValueComparator.compare(q, MemorySegment.ofArray(a), MemorySegment.ofArray(b));
    assertThat(s.elements()).isEqualTo(3);
    assertThat(s.changed()).isEqualTo(1);
    assertThat(s.numeric()).isFalse();
    assertThat(s.maxAbsDiff()).isEmpty();
  }

  @Test
  void compare_unsignedU64_decodedUnsigned() {
    ByteBuffer a = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0L);
    ValueStats s =
        ValueComparator.compare(
            DType.U64, MemorySegment.ofArray(a.array()), MemorySegment.ofArray(b.array()));
    assertThat(s.maxAbsDiff().getAsDouble()).isCloseTo(Math.pow(2, 64), within(1e4));
  }
}
