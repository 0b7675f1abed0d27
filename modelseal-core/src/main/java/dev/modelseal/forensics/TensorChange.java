package dev.modelseal.forensics;

import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import java.util.Optional;

/**
 * One tensor's fate between model A and model B.
 *
 * @param name the tensor's name
 * @param kind what happened to it
 * @param fileA the file holding it in A (relative path), empty if added
 * @param fileB the file holding it in B, empty if removed
 * @param dtypeA dtype in A, empty if added
 * @param dtypeB dtype in B, empty if removed
 * @param shapeA shape in A, empty if added
 * @param shapeB shape in B, empty if removed
 * @param values value statistics when {@code kind} is {@link Kind#VALUES_CHANGED}
 */
public record TensorChange(
    String name,
    Kind kind,
    Optional<String> fileA,
    Optional<String> fileB,
    Optional<DType> dtypeA,
    Optional<DType> dtypeB,
    Optional<Shape> shapeA,
    Optional<Shape> shapeB,
    Optional<ValueStats> values) {

  /** What happened to a tensor. */
  public enum Kind {
    UNCHANGED,
    ADDED,
    REMOVED,
    DTYPE_OR_SHAPE_CHANGED,
    VALUES_CHANGED;

    /** Lower-case name for output, e.g. {@code values_changed}. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
