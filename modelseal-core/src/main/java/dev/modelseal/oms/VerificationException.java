package dev.modelseal.oms;

import dev.modelseal.ModelSealException;
import dev.modelseal.OneLine;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A model did not verify against its OMS signature. {@link #rule()} names the failed check (e.g.
 * {@code oms.signature-invalid}); for {@code oms.model-mismatch} {@link #differences()} lists every
 * missing, extra and changed resource and the message has one line per difference.
 */
public final class VerificationException extends ModelSealException {
  private static final long serialVersionUID = 1L;

  /** The rule for a model whose files differ from the signed manifest. */
  public static final String MODEL_MISMATCH = "oms.model-mismatch";

  /**
   * The rule for an input that could not be read (the cause is the {@link java.io.IOException}).
   */
  public static final String IO_ERROR = "oms.io-error";

  private final List<ModelDifference> differences;
  private final List<String> tensorLines;

  VerificationException(String rule, String message) {
    this(rule, message, null);
  }

  VerificationException(String rule, String message, Throwable cause) {
    super(rule, "[" + rule + "] " + message, cause);
    this.differences = List.of();
    this.tensorLines = List.of();
  }

  VerificationException(List<ModelDifference> differences) {
    this(differences, List.of());
  }

  /**
   * A model mismatch with extra diagnostic lines (the tensors a signed tensor attestation shows to
   * have changed); the lines never change the outcome.
   */
  VerificationException(List<ModelDifference> differences, List<String> tensorLines) {
    super(
        MODEL_MISMATCH,
        java.util.stream.Stream.concat(
                differences.stream().map(d -> "[" + MODEL_MISMATCH + "] " + d.describe()),
                tensorLines.stream().map(l -> "[" + MODEL_MISMATCH + "] " + l))
            .collect(Collectors.joining("\n")));
    this.differences = List.copyOf(differences);
    this.tensorLines = List.copyOf(tensorLines);
  }

  /** Tensor-level explanations from the tensor attestation, if one was present and valid. */
  public List<String> tensorLines() {
    return tensorLines;
  }

  /**
   * Names come from signed but possibly hostile statements: escape control characters so that a
   * message stays one printable line per problem, and cap the length.
   */
  static String printable(String s) {
    return OneLine.of(s, 300);
  }

  /** Every difference between model and manifest; empty unless the rule is model-mismatch. */
  public List<ModelDifference> differences() {
    return differences;
  }
}
