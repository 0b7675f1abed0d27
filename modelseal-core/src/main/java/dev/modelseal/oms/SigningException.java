package dev.modelseal.oms;

import dev.modelseal.ModelSealException;

/** A model cannot be signed, e.g. {@code oms.nothing-to-sign} when no file is left to sign. */
public final class SigningException extends ModelSealException {
  private static final long serialVersionUID = 1L;

  /** The rule for a model with no regular file left after the exclusions. */
  public static final String NOTHING_TO_SIGN = "oms.nothing-to-sign";

  public SigningException(String rule, String message) {
    super(rule, "[" + rule + "] " + message);
  }
}
