package dev.modelseal.forensics;

import java.util.OptionalDouble;

/**
 * How much a tensor's values changed between two models.
 *
 * @param elements elements compared (for types compared as raw storage: storage units, see {@code
 *     numeric})
 * @param changed elements whose bits differ
 * @param maxAbsDiff largest |b - a| over elements (empty when not numeric, or when a NaN is
 *     involved)
 * @param relativeL2 ||b - a||₂ / ||a||₂ over finite pairs (empty when not numeric or ||a||₂ is 0)
 * @param nanIntroduced elements that are NaN in b but not in a
 * @param infIntroduced elements that are infinite in b but not in a
 * @param numeric whether values were decoded as numbers; if false, bytes of the raw storage were
 *     compared (quantized blocks, 8-bit and sub-byte floats, opaque types)
 */
public record ValueStats(
    long elements,
    long changed,
    OptionalDouble maxAbsDiff,
    OptionalDouble relativeL2,
    long nanIntroduced,
    long infIntroduced,
    boolean numeric) {

  /** Fraction of elements that changed, 0 for an empty tensor. */
  public double changedFraction() {
    return elements == 0 ? 0 : (double) changed / elements;
  }
}
