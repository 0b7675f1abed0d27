package dev.modelseal.guard;

/**
 * Thrown by every access to a {@link GuardedModel} that was revoked because re-verification or the
 * folder watch found tampering; the message names the event.
 */
public final class ModelTamperedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The rule of every such exception. */
  public static final String RULE = "guard.model-tampered";

  private final transient TamperEvent event;

  ModelTamperedException(TamperEvent event) {
    super("[" + RULE + "] the verified model was revoked: " + event);
    this.event = event;
  }

  /** What revoked the model. */
  public TamperEvent event() {
    return event;
  }

  public String rule() {
    return RULE;
  }
}
