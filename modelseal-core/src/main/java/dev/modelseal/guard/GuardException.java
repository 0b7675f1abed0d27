package dev.modelseal.guard;

import dev.modelseal.ModelSealException;

/**
 * A guard or verified-copy step failed for a reason other than the signature: the copy's target
 * exists, it cannot be written, the private copy would be too large. When the cause is an {@link
 * java.io.IOException} the check could not run (exit 2); otherwise it ran and failed.
 */
public final class GuardException extends ModelSealException {
  private static final long serialVersionUID = 1L;

  GuardException(String rule, String message, Throwable cause) {
    super(rule, "[" + rule + "] " + message, cause);
  }
}
