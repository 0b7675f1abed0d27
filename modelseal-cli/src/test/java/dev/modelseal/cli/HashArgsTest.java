package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The start-up path of {@code hash} must never read a command line differently from picocli. */
class HashArgsTest {
  @TempDir Path tmp;

  /** picocli's reading of {@code args}, or empty when it rejects them or does not run hash. */
  private static Optional<HashRequest> picocli(String... args) {
    try {
      ParseResult pr = Main.commandLine().parseArgs(args);
      if (!pr.hasSubcommand()
          || !(pr.subcommand().commandSpec().userObject() instanceof HashCommand h)
          || pr.subcommand().isUsageHelpRequested()
          || pr.subcommand().isVersionHelpRequested()) {
        return Optional.empty();
      }
      return Optional.of(h.request());
    } catch (CommandLine.ParameterException e) {
      return Optional.empty();
    }
  }

  private static String[] args(String... a) {
    return a;
  }

  @Test
  void parse_plainForms_sameRequestAsPicocli() {
    List<String[]> accepted =
        List.of(
            args("hash", "model"),
            args("hash", "model", "--json"),
            args("hash", "--json", "model"),
            args("hash", "model", "--tensors", "--json"),
            args("hash", "model", "--shard-size", "1000000000"),
            args("hash", "model", "--shard-size=8", "--json"),
            args("hash", "model", "--ignore", "a", "--ignore=b/c", "--ignore", "a=b"),
            args("hash", "dir with space/m=1", "--allow-symlinks", "--debug"),
            args("hash", "model", "--shard-size", "999999999999999999"));
    for (String[] a : accepted) {
      Optional<HashRequest> lean = HashArgs.parse(a);
      assertThat(lean).as(String.join(" ", a)).isPresent();
      assertThat(lean).as(String.join(" ", a)).isEqualTo(picocli(a));
    }
    HashRequest r = HashArgs.parse(accepted.get(6)).orElseThrow();
    assertThat(r.ignore()).containsExactly("a", "b/c", "a=b");
    assertThat(HashArgs.parse(accepted.get(5)).orElseThrow().shardSize())
        .isEqualTo(OptionalLong.of(8));
  }

  @Test
  void parse_anythingUnusual_declinesToPicocli() {
    List<String[]> declined =
        List.of(
            args("hash"),
            args("inspect", "model"),
            args("hash", "--help"),
            args("hash", "-h"),
            args("hash", "model", "--version"),
            args("hash", "model", "--unknown"),
            args("hash", "model", "other"),
            args("hash", "--json"),
            args("hash", "model", "--json", "--json"),
            args("hash", "model", "--tensors", "--tensors"),
            args("hash", "model", "--debug", "--debug"),
            args("hash", "model", "--allow-symlinks", "--allow-symlinks"),
            args("hash", "model", "--tensors=true"),
            args("hash", "model", "--shard-size"),
            args("hash", "model", "--shard-size", "0"),
            args("hash", "model", "--shard-size", "-1"),
            args("hash", "model", "--shard-size", "007"),
            args("hash", "model", "--shard-size", "0x10"),
            args("hash", "model", "--shard-size", "+5"),
            args("hash", "model", "--shard-size", "1e9"),
            args("hash", "model", "--shard-size", "9999999999999999999"),
            args("hash", "model", "--shard-size", "8", "--shard-size", "8"),
            args("hash", "model", "--shard-size", "--json"),
            args("hash", "model", "--ignore"),
            args("hash", "model", "--ignore="),
            args("hash", "model", "--ignore", "--json"),
            args("hash", "model", "--ignore", "@list"),
            args("hash", "@args"),
            args("hash", "--", "model"),
            args("hash", "-"),
            args("hash", ""),
            args("hash", "\"model\""),
            args("hash", "model\0x"));
    for (String[] a : declined) {
      assertThat(HashArgs.parse(a)).as(String.join(" ", a)).isEmpty();
    }
  }

  @Test
  void parse_randomCommandLines_acceptedOnlyWherePicocliAgrees() {
    String[] pool = {
      "model",
      "other",
      "--tensors",
      "--json",
      "--allow-symlinks",
      "--debug",
      "--shard-size",
      "--shard-size=8",
      "--shard-size=0",
      "8",
      "0",
      "-1",
      "07",
      "--ignore",
      "--ignore=x",
      "x",
      "a=b",
      "@f",
      "--",
      "-h",
      "--help",
      "--version",
      "\"q\"",
      "",
      "--ignore=",
      "--json=false"
    };
    Random random = new Random(20261126L);
    int accepted = 0;
    for (int run = 0; run < 20_000; run++) {
      List<String> a = new ArrayList<>();
      a.add("hash");
      int n = 1 + random.nextInt(6);
      for (int i = 0; i < n; i++) {
        a.add(pool[random.nextInt(pool.length)]);
      }
      String[] args = a.toArray(String[]::new);
      Optional<HashRequest> lean = HashArgs.parse(args);
      if (lean.isPresent()) {
        accepted++;
        assertThat(lean).as(String.join(" ", args)).isEqualTo(picocli(args));
      }
    }
    // Enough of the space is taken by the start-up path for the comparison to mean something.
    assertThat(accepted).isGreaterThan(500);
  }

  private record Outcome(int status, String out, String err) {}

  private static Outcome run(boolean lean, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out);
    PrintWriter e = new PrintWriter(err);
    int status =
        lean ? Main.run(args, o, e) : Main.runWithPicocli(args, o, e, WeightReaders.installed());
    o.flush();
    e.flush();
    return new Outcome(status, out.toString(), err.toString());
  }

  @Test
  void run_startUpPathAndPicocli_printTheSameAndExitTheSame() throws Exception {
    Path model = Files.createDirectory(tmp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.writeString(model.resolve("weights.npy"), "not a weight file");
    Files.createDirectory(tmp.resolve("empty"));
    Path big = tmp.resolve("sparse.bin");
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      raf.setLength(20_000_000);
    }
    String m = model.toString();
    List<String[]> cases =
        List.of(
            args("hash", m),
            args("hash", m, "--json"),
            args("hash", m, "--shard-size", "7", "--json"),
            args("hash", m, "--ignore", "weights.npy", "--tensors", "--json"),
            args("hash", m, "--tensors"), // malformed weight file: exit 1
            args("hash", m, "--tensors", "--debug"),
            args("hash", tmp.resolve("missing").toString()), // exit 2
            args("hash", tmp.resolve("empty").toString()), // exit 3
            args("hash", big.toString(), "--shard-size", "1")); // usage error after parsing
    for (String[] a : cases) {
      assertThat(HashArgs.parse(a)).as(String.join(" ", a)).isPresent();
      Outcome viaPicocli = run(false, a);
      Outcome viaStartUpPath = run(true, a);
      assertThat(viaStartUpPath).as(String.join(" ", a)).isEqualTo(viaPicocli);
    }
    assertThat(run(true, "hash", m, "--tensors").status()).isEqualTo(ExitCode.CHECK_FAILED);
    assertThat(run(true, "hash", big.toString(), "--shard-size", "1").err())
        .contains("larger shard size")
        .contains("Usage:");
  }
}
