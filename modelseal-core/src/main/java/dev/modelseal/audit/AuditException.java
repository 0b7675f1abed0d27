package dev.modelseal.audit;

import dev.modelseal.ModelSealException;

/** The audit could not read what it must judge; the message names the rule and the path. */
public final class AuditException extends ModelSealException {
  private static final long serialVersionUID = 1L;

  AuditException(String rule, String message) {
    super(rule, rule + ": " + message);
  }
}
