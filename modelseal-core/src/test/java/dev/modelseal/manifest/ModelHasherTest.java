package dev.modelseal.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.digest.TensorDigest;
import dev.modelseal.digest.TensorDigests;
import dev.modelseal.digest.TestWeightFile;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHasherTest {
  @TempDir Path tmp;

  private static TestWeightFile.Spec tensor(String name, int n, int seed) {
    byte[] data = new byte[n * 4];
    new java.util.Random(seed).nextBytes(data);
    return new TestWeightFile.Spec(name, DType.F32, Shape.of(n), data, 'C');
  }

  private ModelHasher withTensors() {
    return ModelHasher.builder().tensors(TestWeightFile.opener(), ParseLimits.defaults()).build();
  }

  @Test
  void hash_shards_namedPathStartEndAndLastPieceShorter() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    Files.write(root.resolve("a.bin"), new byte[25]);
    Files.write(root.resolve("empty"), new byte[0]);
    Manifest m = ModelHasher.builder().shards(10).build().hash(root);
    assertThat(m.resources().stream().map(ResourceDigest::name))
        .containsExactly("a.bin:0:10", "a.bin:10:20", "a.bin:20:25");
    assertThat(m.shardSize()).hasValue(10);
    assertThat(m.method()).isEqualTo(SerializationMethod.SHARDS);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(new byte[5]);
    assertThat(m.resources().get(2).digest().hex())
        .isEqualTo(HexFormat.of().formatHex(md.digest()));
  }

  @Test
  void hash_progress_countsEveryByteOnce() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    Files.write(root.resolve("a"), new byte[3_000_000]);
    Files.write(root.resolve("b"), new byte[12345]);
    AtomicLong last = new AtomicLong();
    AtomicLong totalSeen = new AtomicLong();
    ModelHasher.builder()
        .progress(
            (done, total) -> {
              last.accumulateAndGet(done, Math::max);
              totalSeen.set(total);
            })
        .build()
        .hash(root);
    assertThat(last.get()).isEqualTo(3_012_345);
    assertThat(totalSeen.get()).isEqualTo(3_012_345);
  }

  @Test
  void digest_weightFilesAndOtherFiles_tensorsOnlyForWeightFiles() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    TestWeightFile.write(
        root.resolve("model.testwf"), List.of(tensor("b", 3, 1), tensor("a", 2, 2)), 1);
    Files.writeString(root.resolve("config.json"), "{}");
    ModelDigests d = withTensors().digest(ModelTree.enumerate(root, List.of(), false));
    assertThat(d.manifest().resources()).hasSize(2);
    assertThat(d.weightFiles()).hasSize(1);
    WeightFileTensors w = d.weightFiles().getFirst();
    assertThat(w.path()).isEqualTo("model.testwf");
    assertThat(w.tensors().stream().map(TensorDigest::name)).containsExactly("b", "a");
    assertThat(d.tensorSets()).hasSize(1);
    assertThat(d.tensorSets().getFirst().ctm1()).isEqualTo(TensorDigests.ctm1(w.tensors()));
  }

  @Test
  void digest_completeShardedSet_getsOneCtm1OverAllShards() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    TestWeightFile.write(
        root.resolve("model-00001-of-00002.testwf"), List.of(tensor("x", 4, 3)), 0);
    TestWeightFile.write(
        root.resolve("model-00002-of-00002.testwf"), List.of(tensor("y", 5, 4)), 0);
    TestWeightFile.write(root.resolve("single.testwf"), List.of(tensor("x", 4, 3)), 0);
    ModelDigests d = withTensors().digest(ModelTree.enumerate(root, List.of(), false));
    assertThat(d.tensorSets().stream().map(TensorSet::path))
        .containsExactly(
            "model-00001-of-00002.testwf",
            "model-00002-of-00002.testwf",
            "single.testwf",
            "model-*-of-00002.testwf");
    TensorSet set = d.tensorSets().get(3);
    assertThat(set.files())
        .containsExactly("model-00001-of-00002.testwf", "model-00002-of-00002.testwf");
    List<TensorDigest> all = new ArrayList<>();
    d.weightFiles().forEach(w -> all.addAll(w.tensors()));
    List<TensorDigest> setMembers = new ArrayList<>(all.subList(0, 2));
    assertThat(set.ctm1()).isEqualTo(TensorDigests.ctm1(setMembers));
  }

  @Test
  void digest_incompleteShardedSet_onlyPerFile() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    TestWeightFile.write(
        root.resolve("model-00001-of-00003.testwf"), List.of(tensor("x", 4, 3)), 0);
    TestWeightFile.write(
        root.resolve("model-00003-of-00003.testwf"), List.of(tensor("y", 4, 3)), 0);
    ModelDigests d = withTensors().digest(ModelTree.enumerate(root, List.of(), false));
    assertThat(d.tensorSets()).hasSize(2);
  }

  @Test
  void digest_shardedSetNamingTensorTwice_rejected() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    TestWeightFile.write(
        root.resolve("model-00001-of-00002.testwf"), List.of(tensor("w", 4, 3)), 0);
    TestWeightFile.write(
        root.resolve("model-00002-of-00002.testwf"), List.of(tensor("w", 4, 9)), 0);
    ModelTree tree = ModelTree.enumerate(root, List.of(), false);
    assertThatThrownBy(() -> withTensors().digest(tree))
        .isInstanceOf(FormatException.class)
        .satisfies(
            e -> assertThat(((FormatException) e).rule()).isEqualTo("ctm1.duplicate-tensor-name"));
  }

  @Test
  void hash_withoutTensorOpener_digestHasNoTensors() throws Exception {
    Path root = Files.createDirectory(tmp.resolve("m"));
    TestWeightFile.write(root.resolve("model.testwf"), List.of(tensor("a", 2, 2)), 0);
    ModelDigests d =
        ModelHasher.builder().build().digest(ModelTree.enumerate(root, List.of(), false));
    assertThat(d.weightFiles()).isEmpty();
    assertThat(d.tensorSets()).isEmpty();
  }

  @Test
  void hash_oneShardCoveringTheFile_sameDigestsAsFilesMethod() throws Exception {
    Path f = tmp.resolve("one.bin");
    Files.write(f, new byte[100]);
    Manifest files = ModelHasher.builder().build().hash(f);
    Manifest shards = ModelHasher.builder().shards(1000).build().hash(f);
    assertThat(files.resources().getFirst().digest())
        .isEqualTo(shards.resources().getFirst().digest());
    assertThat(files.resources().getFirst().name()).isEqualTo("one.bin");
    assertThat(shards.resources().getFirst().name()).isEqualTo("one.bin:0:100");
    assertThat(files.rootDigest()).isEqualTo(shards.rootDigest());
  }

  @Test
  void hash_shardSizeCuttingTooManyPieces_rejectedBeforeHashing() throws Exception {
    Path f = tmp.resolve("sparse.bin");
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(ModelHasher.MAX_RESOURCES + 1);
    }
    ModelHasher hasher = ModelHasher.builder().shards(1).build();
    assertThat(hasher.resourceCount(ModelTree.enumerate(f, List.of(), false)))
        .isGreaterThan(ModelHasher.MAX_RESOURCES);
    assertThatThrownBy(() -> hasher.hash(f))
        .isInstanceOfSatisfying(
            dev.modelseal.format.LimitExceededException.class,
            e -> assertThat(e.rule()).isEqualTo("limit.max-resources"))
        .hasMessageContaining("sparse.bin");
  }
}
