package dev.modelseal.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.format.SafetensorsWriter;
import dev.modelseal.format.WeightFile;
import dev.modelseal.guard.ModelGuard.Mode;
import dev.modelseal.oms.Curve;
import dev.modelseal.oms.ModelSigner;
import dev.modelseal.oms.SigningKey;
import dev.modelseal.oms.TrustPolicy;
import dev.modelseal.oms.VerificationException;
import dev.modelseal.tensor.TensorInfo;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The runtime guard: hand-over of the verified bytes, tamper reports, fail closed. */
class ModelGuardTest {
  @TempDir Path tmp;

  static final byte[] WEIGHTS = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40}; // f32 1.0, 2.0

  static final String HEADER = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

  /** A small signed model: config, a safetensors file, a file in a subfolder. */
  record Signed(Path model, Path signature, TrustPolicy policy) {}

  static Signed signedModel(Path dir) throws Exception {
    Path m = dir.resolve("model");
    Files.createDirectories(m.resolve("tok"));
    Files.writeString(m.resolve("config.json"), "{\"layers\":1}");
    Files.write(m.resolve("model.safetensors"), SafetensorsWriter.file(HEADER, WEIGHTS));
    Files.writeString(m.resolve("tok/vocab.txt"), "a\nb\n");
    SigningKey k = SigningKey.generate(Curve.P256);
    Path sig = dir.resolve("model.sig");
    ModelSigner.builder(k).build().sign(m, sig);
    return new Signed(m, sig, TrustPolicy.publicKey(k.publicKey()).build());
  }

  static byte[] bytes(GuardedFile f) {
    return f.bytes().toArray(ValueLayout.JAVA_BYTE);
  }

  /** Waits, bounded by count not by a clock assertion, until {@code done} holds. */
  static void await(BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 6000 && !done.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertThat(done.getAsBoolean()).as("condition reached within the generous wait").isTrue();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void open_signedModel_servesSignedBytesAndTensors(Mode mode) throws Exception {
    Signed s = signedModel(tmp);
    try (GuardedModel g = ModelGuard.open(s.model(), s.signature(), s.policy(), mode)) {
      assertThat(g.fileNames())
          .containsExactly("config.json", "model.safetensors", "tok/vocab.txt");
      assertThat(bytes(g.file("config.json").orElseThrow()))
          .isEqualTo(Files.readAllBytes(s.model().resolve("config.json")));
      try (InputStream in = g.file("tok/vocab.txt").orElseThrow().newInputStream()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a\nb\n");
      }
      WeightFile w = g.file("model.safetensors").orElseThrow().weights().orElseThrow();
      TensorInfo t = w.tensors().get(0);
      assertThat(w.storedBytes(t).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(WEIGHTS);
      assertThat(g.file("config.json").orElseThrow().weights()).isEmpty();
      assertThat(g.file("../model.sig")).isEmpty();
      assertThat(g.file("config.json").orElseThrow().bytes().isReadOnly()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void open_changedFile_failsNamingTheFile(Mode mode) throws Exception {
    Signed s = signedModel(tmp);
    Files.writeString(s.model().resolve("config.json"), "{\"layers\":2}");
    assertThatThrownBy(() -> ModelGuard.open(s.model(), s.signature(), s.policy(), mode))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("oms.model-mismatch")
        .hasMessageContaining("config.json");
  }

  @Test
  void open_fileReplacedBySymlink_failsNamingTheRule() throws Exception {
    Signed s = signedModel(tmp);
    Path c = s.model().resolve("config.json");
    Files.move(c, tmp.resolve("elsewhere.json"));
    Files.createSymbolicLink(c, tmp.resolve("elsewhere.json"));
    assertThatThrownBy(() -> ModelGuard.open(s.model(), s.signature(), s.policy(), Mode.MAPPED))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("tree.symlink-not-allowed")
        .hasMessageContaining("config.json");
  }

  @Test
  void open_copyLargerThanAllowed_failsWithLimitRule() throws Exception {
    Signed s = signedModel(tmp);
    assertThatThrownBy(
            () ->
                ModelGuard.builder(s.policy())
                    .maxCopyBytes(10)
                    .build()
                    .open(s.model(), s.signature()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("limit.guard-copy-bytes");
  }

  @Test
  void verifiedCopy_fileRewrittenAfterOpen_consumerStillSeesSignedBytes() throws Exception {
    Signed s = signedModel(tmp);
    byte[] signed = Files.readAllBytes(s.model().resolve("model.safetensors"));
    List<TamperEvent> seen = new CopyOnWriteArrayList<>();
    try (GuardedModel g =
        ModelGuard.builder(s.policy())
            .mode(Mode.VERIFIED_COPY)
            .onTamper(
                (m, e) -> {
                  seen.add(e);
                  TamperHandler.FAIL_CLOSED.onTamper(m, e);
                })
            .build()
            .open(s.model(), s.signature())) {
      byte[] evil = signed.clone();
      evil[evil.length - 1] ^= 1;
      Files.write(s.model().resolve("model.safetensors"), evil, StandardOpenOption.WRITE);
      await(() -> !seen.isEmpty());
      assertThat(seen.get(0).rule()).isEqualTo(TamperEvent.SOURCE_CHANGED);
      assertThat(seen.get(0).file()).isEqualTo("model.safetensors");
      assertThat(seen.get(0).affectsViews()).isFalse();
      // The private copy is what is served: still the signed bytes, and still usable.
      assertThat(bytes(g.file("model.safetensors").orElseThrow())).isEqualTo(signed);
      assertThat(g.revokedBy()).isEmpty();
    }
  }

  @Test
  void mapped_fileRewrittenAfterOpen_reportedAndRevoked() throws Exception {
    Signed s = signedModel(tmp);
    try (GuardedModel g =
        ModelGuard.builder(s.policy())
            .mode(Mode.MAPPED)
            .reverify(0.05, Duration.ofMillis(50))
            .build()
            .open(s.model(), s.signature())) {
      MemorySegment view = g.file("config.json").orElseThrow().bytes();
      Files.writeString(s.model().resolve("config.json"), "{\"layers\":9}");
      await(() -> g.revokedBy().isPresent());
      assertThat(g.events()).isNotEmpty();
      assertThat(g.events().get(0).file()).isEqualTo("config.json");
      assertThat(g.events().get(0).affectsViews()).isTrue();
      assertThatThrownBy(() -> g.file("config.json"))
          .isInstanceOf(ModelTamperedException.class)
          .hasMessageContaining("guard.model-tampered")
          .hasMessageContaining("config.json");
      // The mapping behind the view handed out earlier is released too.
      assertThatThrownBy(() -> view.get(ValueLayout.JAVA_BYTE, 0))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void mapped_inPlaceWriteWithoutWatch_reportedByReverification() throws Exception {
    Signed s = signedModel(tmp);
    try (GuardedModel g =
        ModelGuard.builder(s.policy())
            .mode(Mode.MAPPED)
            .watch(false)
            .reverify(0.5, Duration.ofMillis(20))
            .onTamper((m, e) -> {})
            .build()
            .open(s.model(), s.signature())) {
      long before = g.reverifications();
      await(() -> g.reverifications() > before);
      assertThat(g.events()).isEmpty();
      byte[] evil = Files.readAllBytes(s.model().resolve("tok/vocab.txt"));
      evil[0] = 'z';
      Files.write(s.model().resolve("tok/vocab.txt"), evil, StandardOpenOption.WRITE);
      await(() -> !g.events().isEmpty());
      TamperEvent e = g.events().get(0);
      assertThat(e.file()).isEqualTo("tok/vocab.txt");
      assertThat(e.rule()).isIn(TamperEvent.DIGEST_MISMATCH, TamperEvent.FILE_CHANGED);
      // This handler only records: the model stays usable, and shows the changed byte.
      assertThat(g.revokedBy()).isEmpty();
    }
  }

  @Test
  void verifiedCopy_corruptedPrivateByte_reportedByNextReverification() throws Exception {
    Signed s = signedModel(tmp);
    try (GuardedModel g =
        ModelGuard.builder(s.policy())
            .mode(Mode.VERIFIED_COPY)
            .reverify(0.5, Duration.ofMillis(20))
            .build()
            .open(s.model(), s.signature())) {
      long before = g.reverifications();
      await(() -> g.reverifications() > before);
      assertThat(g.events()).isEmpty();
      InsecureTestAccess.flipByte(g.file("model.safetensors").orElseThrow(), 9);
      await(() -> g.revokedBy().isPresent());
      TamperEvent e = g.revokedBy().orElseThrow();
      assertThat(e.rule()).isEqualTo(TamperEvent.DIGEST_MISMATCH);
      assertThat(e.file()).isEqualTo("model.safetensors");
      assertThatThrownBy(g::files).isInstanceOf(ModelTamperedException.class);
    }
  }

  @Test
  void close_viewsHandedOut_failOnAccess() throws Exception {
    Signed s = signedModel(tmp);
    MemorySegment view;
    try (GuardedModel g =
        ModelGuard.open(s.model(), s.signature(), s.policy(), Mode.VERIFIED_COPY)) {
      view = g.file("config.json").orElseThrow().bytes();
      assertThat(view.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) '{');
    }
    assertThatThrownBy(() -> view.get(ValueLayout.JAVA_BYTE, 0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void open_singleFileModel_servesIt() throws Exception {
    Path f = tmp.resolve("w.safetensors");
    Files.write(f, SafetensorsWriter.file(HEADER, WEIGHTS));
    SigningKey k = SigningKey.generate(Curve.P256);
    Path sig = tmp.resolve("w.sig");
    ModelSigner.builder(k).build().sign(f, sig);
    try (GuardedModel g =
        ModelGuard.open(f, sig, TrustPolicy.publicKey(k.publicKey()).build(), Mode.MAPPED)) {
      assertThat(g.fileNames()).containsExactly("w.safetensors");
      assertThat(bytes(g.file("w.safetensors").orElseThrow())).isEqualTo(Files.readAllBytes(f));
    }
  }

  @Test
  void open_emptyFileAndShards_servesEveryByte() throws Exception {
    Path m = tmp.resolve("m");
    Files.createDirectories(m);
    Files.write(m.resolve("empty.bin"), new byte[0]);
    byte[] big = new byte[10_000];
    new java.util.Random(7).nextBytes(big);
    Files.write(m.resolve("big.bin"), big);
    SigningKey k = SigningKey.generate(Curve.P256);
    Path sig = tmp.resolve("m.sig");
    ModelSigner.builder(k).shardSize(999).build().sign(m, sig);
    for (Mode mode : Mode.values()) {
      try (GuardedModel g =
          ModelGuard.builder(TrustPolicy.publicKey(k.publicKey()).build())
              .mode(mode)
              .reverify(1, Duration.ofMillis(10))
              .build()
              .open(m, sig)) {
        assertThat(bytes(g.file("big.bin").orElseThrow())).isEqualTo(big);
        assertThat(g.file("empty.bin").orElseThrow().size()).isZero();
        long before = g.reverifications();
        await(() -> g.reverifications() > before + 1);
        assertThat(g.events()).as(mode.toString()).isEmpty();
      }
    }
  }
}
