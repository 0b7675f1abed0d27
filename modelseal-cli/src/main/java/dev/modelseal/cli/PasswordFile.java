package dev.modelseal.cli;

import dev.modelseal.oms.KeyException;
import dev.modelseal.oms.KeyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The password on the first line of a {@code --password-file} (keygen, sign), or none when no file
 * was given. Closing it wipes the password from memory, so a command holds it no longer than it
 * needs it.
 */
final class PasswordFile implements AutoCloseable {
  private final char[] password;

  private PasswordFile(char[] password) {
    this.password = password;
  }

  /**
   * Reads the first line of {@code file} ({@link KeyFiles#readPassword}); a {@code null} file means
   * the user gave none.
   */
  static PasswordFile read(Path file) throws IOException, KeyException {
    return new PasswordFile(file == null ? null : KeyFiles.readPassword(file));
  }

  /** The password, or {@code null} when none was given (what {@link KeyFiles} takes for none). */
  char[] password() {
    return password;
  }

  boolean given() {
    return password != null;
  }

  @Override
  public void close() {
    if (password != null) {
      Arrays.fill(password, '\0');
    }
  }
}
