package dev.modelseal.scan;

import java.util.Objects;

/**
 * A global a pickle imports ({@code find_class(module, name)}).
 *
 * @param module module name as written in the pickle
 * @param name attribute name, possibly dotted (protocol 4 walks dotted names attribute by
 *     attribute)
 */
public record PickleImport(String module, String name) {
  public PickleImport {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String toString() {
    return module + "." + name;
  }
}
