package dev.modelseal.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * The training run of the launcher's start-up cache, not a user command: runs every command once on
 * the demo's example model, in one JVM, so that the ahead-of-time cache made from this run holds
 * the classes (and method profiles) of all of them rather than of one. Output is discarded.
 */
final class StartupTraining {
  private StartupTraining() {}

  public static void main(String[] args) throws IOException {
    Path work = Files.createTempDirectory("modelseal-training-");
    try (PrintWriter sink =
        new PrintWriter(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8)) {
      Path demo = work.resolve("demo");
      Main.run(new String[] {"demo", "--dir", demo.toString()}, sink, sink);
      String model = demo.resolve("example-model").toString();
      String signature = demo.resolve("example-model").resolve("model.sig").toString();
      String publicKey = demo.resolve("keys").resolve("signing-key.pub").toString();
      List<String[]> runs = new ArrayList<>();
      runs.add(new String[] {"hash", model, "--json"});
      runs.add(new String[] {"hash", model, "--tensors", "--json"});
      runs.add(new String[] {"inspect", model, "--json"});
      runs.add(new String[] {"scan", model, "--format", "sarif"});
      runs.add(new String[] {"scan", model, "--format", "json"});
      runs.add(
          new String[] {
            "verify", model, "--signature", signature, "--public-key", publicKey, "--json"
          });
      runs.add(new String[] {"--help"});
      runs.add(new String[] {"--version"});
      for (Class<?> c : Main.SUBCOMMANDS) {
        Command command = c.getAnnotation(Command.class);
        if (command != null && !command.name().equals("help")) {
          runs.add(new String[] {command.name(), "--help"});
        }
      }
      for (String[] run : runs) {
        Main.run(run, sink, sink);
      }
    } finally {
      DemoCommand.deleteTree(work);
    }
  }
}
