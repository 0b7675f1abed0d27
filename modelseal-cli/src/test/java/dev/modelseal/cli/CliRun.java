package dev.modelseal.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in-process and captures what it printed. */
record CliRun(int status, String out, String err) {

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(status, out.toString(), err.toString());
  }

  /**
   * Copies a fixture from the core test-jar (resources under {@code fixtures/}) into {@code dir}.
   */
  static Path fixture(String resource, Path dir) throws java.io.IOException {
    try (InputStream in = CliRun.class.getResourceAsStream("/fixtures/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + resource);
      }
      Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
      Files.copy(in, target);
      return target;
    }
  }
}
