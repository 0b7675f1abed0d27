package dev.modelseal.cli;

import picocli.CommandLine.Option;

/** Mixed into every command: {@code --debug} shows stack traces and internal detail on errors. */
public final class DebugOption {
  @Option(names = "--debug", description = "Show stack traces and internal detail on errors.")
  boolean debug;
}
