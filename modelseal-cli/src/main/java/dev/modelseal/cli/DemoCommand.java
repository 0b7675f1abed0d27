package dev.modelseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelseal demo}: the whole story on a built-in example model. Each step runs the real
 * command, printed as a user would type it, and checks that it ended the way the story says.
 */
@Command(
    name = "demo",
    description = {
      "Run ModelSeal's main job on a built-in example: build a small MLX-style model folder,"
          + " inspect it, and show how a damaged weight file is caught."
    },
    footer = {"", "Exit status: 0 when every step ended as expected, 1 otherwise."})
final class DemoCommand implements Callable<Integer> {
  @Mixin DebugOption debug;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Build the example in DIR (must not exist or be empty) and keep it. Default: a temporary"
              + " folder, removed at the end.")
  Path dir;

  private PrintWriter out;
  private final List<String> failures = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    out = spec.commandLine().getOut();
    boolean keep = dir != null;
    Path work;
    if (dir != null) {
      if (Files.exists(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            spec.commandLine().getErr().println("modelseal: " + dir + " is not empty");
            return ExitCode.CANNOT_RUN;
          }
        }
      }
      work = Files.createDirectories(dir);
    } else {
      work = Files.createTempDirectory("modelseal-demo-");
    }
    try {
      Path model = work.resolve("example-model");
      story(work, model);
    } finally {
      if (!keep) {
        deleteTree(work);
      }
    }
    out.println();
    if (failures.isEmpty()) {
      out.println("Demo complete: every step ended as expected.");
      if (keep) {
        out.println("The example files are in " + work);
      }
      return ExitCode.OK;
    }
    out.println("Demo FAILED: " + String.join("; ", failures));
    return ExitCode.CHECK_FAILED;
  }

  private void story(Path work, Path model) throws IOException {
    step("1. An MLX model arrives: two safetensors shards, an index, config and tokenizer.");
    ExampleModel.write(model);
    try (Stream<Path> s = Files.list(model)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        out.printf("     %-36s %8d bytes%n", p.getFileName(), Files.size(p));
      }
    }

    step("2. Inspect it: every header is validated against the format's rules; no data is read.");
    run(ExitCode.OK, "inspect", model.toString());

    step("3. The publisher makes a signing key (ECDSA P-256) ...");
    Path keys = Files.createDirectories(work.resolve("keys"));
    Path privateKey = keys.resolve("signing-key.pem");
    Path publicKey = keys.resolve("signing-key.pub");
    run(
        ExitCode.OK,
        "keygen",
        "--private-key",
        privateKey.toString(),
        "--public-key",
        publicKey.toString());

    step(
        "4. ... and signs the model in the OpenSSF Model Signing format (model.sig, which other"
            + " OMS tools verify).");
    run(ExitCode.OK, "sign", model.toString(), "--private-key", privateKey.toString());

    step("5. The consumer verifies it before loading: every file's digest matches the signature.");
    Path signature = model.resolve("model.sig");
    run(
        ExitCode.OK,
        "verify",
        model.toString(),
        "--signature",
        signature.toString(),
        "--public-key",
        publicKey.toString());

    Path pristine = work.resolve("example-model-as-signed");
    copyTree(model, pristine);
    step(
        "6. An attacker with write access to the model folder changes ONE weight of "
            + ExampleModel.TAMPERED_TENSOR
            + " (a backdoor needs no more). Verification fails, naming the file and, from the signed tensor"
            + " attestation (model.sig.tensors), the tensor:");
    ExampleModel.tamper(model);
    run(
        ExitCode.CHECK_FAILED,
        "verify",
        model.toString(),
        "--signature",
        signature.toString(),
        "--public-key",
        publicKey.toString());

    step("7. Forensics: diff against the signed copy says exactly which tensor changed, and how.");
    run(ExitCode.CHECK_FAILED, "diff", pristine.toString(), model.toString());

    step(
        "8. Another attacker appends a hidden payload to a shard (a polyglot file that other"
            + " tools would load without noticing). Inspect rejects the file:");
    Path damaged = work.resolve("damaged-model");
    copyTree(pristine, damaged);
    Files.write(
        damaged.resolve(ExampleModel.SHARD_2),
        "#!/bin/sh\necho pwned\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    run(ExitCode.CHECK_FAILED, "inspect", damaged.resolve(ExampleModel.SHARD_2).toString());

    step(
        "9. A model from an untrusted hub ships a PyTorch pickle that runs a shell command when"
            + " loaded. The scanner reads the pickle without executing it:");
    Path downloaded = Files.createDirectories(work.resolve("downloaded-model"));
    ExampleModel.writeMaliciousPickle(downloaded.resolve("pytorch_model.bin"));
    run(ExitCode.CHECK_FAILED, "scan", downloaded.toString());
  }

  private void step(String text) {
    out.println();
    out.println(text);
  }

  /** Runs a real modelseal command with the demo's output streams and checks its exit status. */
  private void run(int expected, String... args) {
    out.println("   $ modelseal " + String.join(" ", args));
    out.flush();
    CommandLine cl = Main.commandLine();
    cl.setOut(out);
    cl.setErr(out);
    int status = cl.execute(args);
    out.flush();
    out.println("   (exit status " + status + (status == expected ? ", as expected)" : ")"));
    if (status != expected) {
      failures.add(
          "'modelseal " + String.join(" ", args) + "' exited " + status + ", expected " + expected);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
