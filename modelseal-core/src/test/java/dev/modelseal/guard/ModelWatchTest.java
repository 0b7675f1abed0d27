package dev.modelseal.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.oms.Curve;
import dev.modelseal.oms.ModelSigner;
import dev.modelseal.oms.ModelVerifier;
import dev.modelseal.oms.SigningKey;
import dev.modelseal.oms.TrustPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelWatch} on a real signed folder, with real file changes. Waits are for events (with a
 * generous bound so a broken watch fails instead of hanging), never for a wall-clock time.
 */
class ModelWatchTest {
  private static final long BOUND_SECONDS = 180;
  private static SigningKey key;

  @TempDir Path tmp;
  private Path model;
  private Path sig;
  private final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
  private final List<WatchEvent> seen = new ArrayList<>();
  private Thread watcher;
  private volatile Boolean result;

  @BeforeAll
  static void key() {
    key = SigningKey.generate(Curve.P256);
  }

  @BeforeEach
  void signModel() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.createDirectories(model.resolve("tokenizer"));
    Files.writeString(model.resolve("config.json"), "{\"a\":1}");
    Files.writeString(model.resolve("tokenizer/vocab.txt"), "a\nb\n");
    Files.write(model.resolve("model.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    sig = ModelSigner.builder(key).build().sign(model, tmp.resolve("model.sig")).signature();
  }

  @AfterEach
  void stop() throws Exception {
    if (watcher != null) {
      watcher.interrupt();
      watcher.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
    }
  }

  private ModelWatch watch(boolean keepRunning) throws Exception {
    return new ModelWatch(
        new ModelVerifier(TrustPolicy.publicKey(key.publicKey()).build()),
        model,
        sig,
        // An hour: every re-verification in these tests is caused by a file-system event.
        new ModelWatch.Settings(Duration.ofHours(1), 100, keepRunning),
        events::add);
  }

  private void start(boolean keepRunning) throws Exception {
    ModelWatch w = watch(keepRunning);
    watcher =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result = w.run();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    await(WatchEvent.Kind.VERIFIED, ".");
  }

  /** Takes events until one of {@code kind} for {@code file}; returns the events before it. */
  private List<WatchEvent> await(WatchEvent.Kind kind, String file) throws InterruptedException {
    List<WatchEvent> before = new ArrayList<>();
    while (true) {
      WatchEvent e = events.poll(BOUND_SECONDS, TimeUnit.SECONDS);
      assertThat(e).as("no %s %s event; saw %s", kind, file, seen).isNotNull();
      seen.add(e);
      if (e.kind() == kind && e.file().equals(file)) {
        return before;
      }
      before.add(e);
    }
  }

  private void assertTampered(String file, String difference) throws InterruptedException {
    List<WatchEvent> before = await(WatchEvent.Kind.TAMPERED, file);
    WatchEvent t = seen.getLast();
    assertThat(t.rule()).contains("oms.model-mismatch");
    assertThat(t.difference()).contains(difference);
    assertThat(before)
        .as("a changed event comes first")
        .anyMatch(e -> e.kind() == WatchEvent.Kind.CHANGED);
  }

  @Test
  void run_edit_changedThenTampered() throws Exception {
    start(true);
    Files.writeString(model.resolve("config.json"), "{\"a\":2}");
    assertTampered("config.json", "changed");
  }

  @Test
  void run_append_changedThenTampered() throws Exception {
    start(true);
    Files.write(model.resolve("model.safetensors"), new byte[] {9}, StandardOpenOption.APPEND);
    assertTampered("model.safetensors", "changed");
  }

  @Test
  void run_deleteInSubfolder_changedThenTamperedMissing() throws Exception {
    start(true);
    Files.delete(model.resolve("tokenizer/vocab.txt"));
    assertTampered("tokenizer/vocab.txt", "missing");
  }

  @Test
  void run_addFile_changedThenTamperedExtra() throws Exception {
    start(true);
    Files.writeString(model.resolve("new.txt"), "x");
    assertTampered("new.txt", "extra");
  }

  @Test
  void run_addFileInNewFolder_isWatchedAndTamperedExtra() throws Exception {
    start(true);
    Path d = Files.createDirectories(model.resolve("added"));
    Files.writeString(d.resolve("f.bin"), "x");
    // Whether the check after mkdir already sees f.bin depends on timing; either way the file
    // ends up reported as extra.
    await(WatchEvent.Kind.TAMPERED, "added/f.bin");
    assertThat(seen.getLast().difference()).contains("extra");
  }

  @Test
  void run_chmod_changedThenVerifiedWithoutTamper() throws Exception {
    start(true);
    Files.setPosixFilePermissions(
        model.resolve("config.json"), PosixFilePermissions.fromString("r--------"));
    await(WatchEvent.Kind.CHANGED, "config.json");
    List<WatchEvent> before = await(WatchEvent.Kind.VERIFIED, ".");
    assertThat(before).noneMatch(e -> e.kind() == WatchEvent.Kind.TAMPERED);
  }

  @Test
  void run_replacedBySymlink_tamperedWithTheSymlinkRule() throws Exception {
    start(true);
    Path real = Files.copy(model.resolve("config.json"), tmp.resolve("config-copy.json"));
    // The link is made outside the model and renamed over the file in one step, so a
    // re-verification never sees the file missing (that is a tamper too, under another rule).
    Path link = Files.createSymbolicLink(tmp.resolve("config-link"), real);
    Files.move(
        link,
        model.resolve("config.json"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await(WatchEvent.Kind.CHANGED, "config.json");
    // Same bytes behind the link: the link itself is the tamper.
    WatchEvent t = lastTamper();
    assertThat(t.rule().orElseThrow()).contains("symlink");
  }

  private WatchEvent lastTamper() throws InterruptedException {
    while (true) {
      WatchEvent e = events.poll(BOUND_SECONDS, TimeUnit.SECONDS);
      assertThat(e).as("no tampered event; saw %s", seen).isNotNull();
      seen.add(e);
      if (e.kind() == WatchEvent.Kind.TAMPERED) {
        return e;
      }
    }
  }

  @Test
  void run_restoreAfterTamper_restored() throws Exception {
    start(true);
    byte[] original = Files.readAllBytes(model.resolve("config.json"));
    Files.writeString(model.resolve("config.json"), "{\"a\":2}");
    assertTampered("config.json", "changed");
    Files.write(model.resolve("config.json"), original);
    await(WatchEvent.Kind.RESTORED, ".");
  }

  @Test
  void run_tamperWithoutKeepRunning_returnsFalse() throws Exception {
    start(false);
    // Written outside and renamed in: a re-verification that met the file half written would
    // report file.changed (also a tamper, but not the one this test names).
    Files.move(
        Files.writeString(tmp.resolve("new.txt"), "x"),
        model.resolve("new.txt"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    assertTampered("new.txt", "extra");
    watcher.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
    assertThat(watcher.isAlive()).isFalse();
    assertThat(result).isFalse();
  }

  @Test
  void verifyOnce_intactThenTampered_reportsEach() throws Exception {
    ModelWatch w = watch(false);
    assertThat(w.verifyOnce()).isTrue();
    Files.writeString(model.resolve("config.json"), "{}");
    assertThat(w.verifyOnce()).isFalse();
    assertThat(events)
        .extracting(WatchEvent::kind)
        .containsExactly(WatchEvent.Kind.VERIFIED, WatchEvent.Kind.TAMPERED);
  }

  @Test
  void verifyOnce_sameTamperTwice_reportedOnce() throws Exception {
    ModelWatch w = watch(true);
    Files.writeString(model.resolve("config.json"), "{}");
    assertThat(w.verifyOnce()).isFalse();
    assertThat(w.verifyOnce()).isFalse();
    assertThat(events).hasSize(1);
  }

  @Test
  void notBefore_fivePercent_waitsTwentyTimesTheCpuCost() {
    assertThat(ModelWatch.notBefore(1_000, 50, 5)).isEqualTo(1_000 + 1_000);
    assertThat(ModelWatch.notBefore(1_000, 50, 100)).isEqualTo(1_050);
  }

  @Test
  void settings_outOfRange_rejected() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> new ModelWatch.Settings(Duration.ZERO, 5, false));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> new ModelWatch.Settings(Duration.ofSeconds(1), 0, false));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> new ModelWatch.Settings(Duration.ofSeconds(1), 101, false));
  }
}
