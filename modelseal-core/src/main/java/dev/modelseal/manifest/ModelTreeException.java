package dev.modelseal.manifest;

import dev.modelseal.ModelSealException;

/** The model folder cannot be enumerated under the OMS rules (links, special files, bad paths). */
public final class ModelTreeException extends ModelSealException {
  private static final long serialVersionUID = 1L;

  public ModelTreeException(String rule, String message) {
    super(rule, "[" + rule + "] " + message);
  }
}
