package dev.modelseal.scan;

/**
 * A chat template that Jinja would refuse to compile, or one past our bounds (tokens, nesting).
 * Either way it cannot be judged, so the inspector reports it at high and never as clean.
 */
final class TemplateSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Offset in the template (after Jinja's newline normalisation) where the problem was seen. */
  private final int at;

  TemplateSyntaxException(String message, int at) {
    super(message, null, false, false);
    this.at = at;
  }

  int at() {
    return at;
  }
}
