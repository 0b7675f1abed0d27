package dev.modelseal.manifest;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One regular file of a model.
 *
 * @param name path relative to the model root, {@code /}-separated (the basename for a single-file
 *     model)
 * @param file the file to open: the entry itself, or the resolved target of an allowed symlink
 *     (always inside the model root)
 * @param size size in bytes when enumerated
 */
public record ModelEntry(String name, Path file, long size) {
  public ModelEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
  }
}
