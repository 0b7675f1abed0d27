package dev.modelseal.cli;

import java.io.Console;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Whether standard output or standard error is an interactive terminal, so progress is shown only
 * to a person watching and never mixed into piped or redirected output. Asks the C library's {@code
 * isatty}; without native access it falls back to {@link Console#isTerminal}, which looks at
 * standard input and output only.
 */
final class Terminal {
  static final int STDOUT = 1;
  static final int STDERR = 2;

  private static final MethodHandle ISATTY = isattyHandle();

  private Terminal() {}

  static boolean isTerminal(int fd) {
    if (ISATTY != null) {
      try {
        return (int) ISATTY.invokeExact(fd) == 1;
      } catch (Throwable t) {
        return false;
      }
    }
    return Optional.ofNullable(System.console()).map(Console::isTerminal).orElse(false);
  }

  // Binding isatty is the only native call here; native access is checked first.
  @SuppressWarnings("restricted")
  private static MethodHandle isattyHandle() {
    if (!Terminal.class.getModule().isNativeAccessEnabled()) {
      return null;
    }
    try {
      Linker linker = Linker.nativeLinker();
      Optional<MemorySegment> f = linker.defaultLookup().find("isatty");
      return f.map(
              s ->
                  linker.downcallHandle(
                      s, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)))
          .orElse(null);
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
