package dev.modelseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify --copy-to DIR}: a verified, read-only copy, or no DIR at all. */
class VerifyCopyToTest {
  @TempDir Path tmp;
  private Path model;
  private Path pub;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void signedModel() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.createDirectories(model.resolve("weights"));
    Files.write(model.resolve("weights/w.bin"), new byte[] {1, 2, 3});
    Path k = tmp.resolve("k.pem");
    pub = tmp.resolve("k.pub");
    assertThat(run("keygen", "--private-key", k.toString(), "--public-key", pub.toString()).code())
        .isZero();
    Run s = run("sign", model.toString(), "--private-key", k.toString());
    assertThat(s.code()).as(s.err()).isZero();
  }

  private Run copyTo(Path dir, Path sig, Path key) {
    return run(
        "verify",
        model.toString(),
        "--signature",
        sig.toString(),
        "--public-key",
        key.toString(),
        "--copy-to",
        dir.toString());
  }

  private Run copyTo(Path dir) {
    return copyTo(dir, model.resolve("model.sig"), pub);
  }

  /** Nothing but the given names beside the model: no DIR, no private folder left behind. */
  private void assertNothingLeftIn(Path parent, String... names) throws Exception {
    try (Stream<Path> s = Files.list(parent)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder(names);
    }
  }

  @Test
  void copyTo_signedModel_readOnlyCopyOfSignedFilesOnly() throws Exception {
    Path out = tmp.resolve("out");
    Run r = copyTo(out);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("verified ").contains("copied to " + out + " (read-only)");
    assertThat(Files.readString(out.resolve("config.json"))).isEqualTo("{}");
    assertThat(Files.readAllBytes(out.resolve("weights/w.bin"))).containsExactly(1, 2, 3);
    assertThat(out.resolve("model.sig")).doesNotExist();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
        .isEqualTo("r-xr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("weights"))))
        .isEqualTo("r-xr-xr-x");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("weights/w.bin"))))
        .isEqualTo("r--r--r--");
    assertNothingLeftIn(tmp, "model", "k.pem", "k.pub", "out");
  }

  @Test
  void copyTo_dirExists_exitsTwoAndLeavesItAlone() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Run r = copyTo(out);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines().toList())
        .singleElement()
        .asString()
        .contains("copy.target-exists")
        .contains(out.toString());
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.toList()).isEmpty();
    }
    assertNothingLeftIn(tmp, "model", "k.pem", "k.pub", "out");
  }

  @Test
  void copyTo_missingSignature_exitsTwoNoDir() throws Exception {
    Run r = copyTo(tmp.resolve("out"), tmp.resolve("absent.sig"), pub);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("oms.io-error").contains("absent.sig");
    assertNothingLeftIn(tmp, "model", "k.pem", "k.pub");
  }

  @Test
  void copyTo_wrongKey_exitsOneNoDir() throws Exception {
    Path other = tmp.resolve("o.pub");
    run(
        "keygen",
        "--private-key",
        tmp.resolve("o.pem").toString(),
        "--public-key",
        other.toString());
    Run r = copyTo(tmp.resolve("out"), model.resolve("model.sig"), other);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("oms.key-mismatch");
    assertNothingLeftIn(tmp, "model", "k.pem", "k.pub", "o.pem", "o.pub");
  }

  @Test
  void copyTo_changedFile_exitsOneNoDir() throws Exception {
    Files.write(model.resolve("weights/w.bin"), new byte[] {1, 2, 4});
    Run r = copyTo(tmp.resolve("out"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("oms.model-mismatch").contains("weights/w.bin");
    assertNothingLeftIn(tmp, "model", "k.pem", "k.pub");
  }

  @Test
  void copyTo_unreadableFifoInModel_exitsOneNoDir() throws Exception {
    // Tests run as root, for whom chmod 000 hides nothing: a FIFO cannot be read as a file.
    Process p = new ProcessBuilder("mkfifo", model.resolve("pipe").toString()).start();
    assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo not available");
    Run r = copyTo(tmp.resolve("out"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("tree.special-file").contains("pipe");
    assertNothingLeftIn(tmp, "model", "k.pem", "k.pub");
  }

  @Test
  void copyTo_noSpaceLeft_exitsTwoNoDir() throws Exception {
    Path small = Files.createDirectories(tmp.resolve("small"));
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString())
            .redirectErrorStream(true)
            .start();
    boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    if (!mounted) {
      System.out.println("VerifyCopyToTest: skipped no-space test, cannot mount a small tmpfs");
    }
    assumeTrue(mounted, "cannot mount a small tmpfs (needs root)");
    try {
      Files.write(model.resolve("weights/big.bin"), new byte[256 << 10]);
      Path k = tmp.resolve("k.pem");
      assertThat(run("sign", model.toString(), "--private-key", k.toString()).code()).isZero();
      Run r = copyTo(small.resolve("out"));
      assertThat(r.code()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("copy.write-failed").contains("no space left");
      try (Stream<Path> s = Files.list(small)) {
        assertThat(s.toList()).isEmpty();
      }
    } finally {
      new ProcessBuilder("umount", small.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void verify_withoutCopyTo_unchangedOutput() {
    Run r =
        run(
            "verify",
            model.toString(),
            "--signature",
            model.resolve("model.sig").toString(),
            "--public-key",
            pub.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("copied to");
    assertThat(List.of(r.out().split("\n"))).hasSize(3);
  }
}
