package dev.modelseal;

/**
 * The one checked exception family at ModelSeal's API boundary. Every failure names the rule that
 * was broken so that a caller (and an operator reading one line of output) knows exactly what
 * failed.
 */
public class ModelSealException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String rule;

  public ModelSealException(String rule, String message) {
    super(message);
    this.rule = rule;
  }

  public ModelSealException(String rule, String message, Throwable cause) {
    super(message, cause);
    this.rule = rule;
  }

  /** A stable, greppable rule name such as {@code safetensors.header-too-large}. */
  public String rule() {
    return rule;
  }
}
