package dev.modelseal.oms;

import dev.modelseal.ModelSealException;

/**
 * Key or certificate material cannot be used: unreadable PEM, wrong password, unsupported curve, or
 * a key file that would be overwritten.
 */
public final class KeyException extends ModelSealException {
  private static final long serialVersionUID = 1L;

  public KeyException(String rule, String message) {
    super(rule, "[" + rule + "] " + message);
  }

  public KeyException(String rule, String message, Throwable cause) {
    super(rule, "[" + rule + "] " + message, cause);
  }
}
