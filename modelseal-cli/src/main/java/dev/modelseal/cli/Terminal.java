package dev.modelseal.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether standard output or standard error is an interactive terminal, so progress is shown only
 * to a person watching and never mixed into piped or redirected output. On Linux it reads where the
 * descriptor points ({@code /proc/self/fd/N} is a link to a {@code /dev/pts/…} or {@code /dev/tty…}
 * device for a terminal), which costs nothing at start-up; elsewhere it falls back to {@link
 * Console#isTerminal}, which looks at standard input and output only.
 */
final class Terminal {
  static final int STDOUT = 1;
  static final int STDERR = 2;

  private Terminal() {}

  static boolean isTerminal(int fd) {
    Path link = Path.of("/proc/self/fd/" + fd);
    try {
      String target = Files.readSymbolicLink(link).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.ofNullable(System.console()).map(Console::isTerminal).orElse(false);
    }
  }
}
