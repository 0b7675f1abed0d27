package dev.modelseal.digest;

import static dev.modelseal.digest.TensorDigestsTest.assertRule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFileOpener;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestEngineTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int WINDOW = 4096;

  @TempDir Path dir;

  private static String sha256(byte[] data, long from, long to) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(data, (int) from, (int) (to - from));
    return HEX.formatHex(md.digest());
  }

  private Path file(String name, byte[] data) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, data);
    return p;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void digest_filesOfEveryBoundarySize_matchMessageDigest() throws Exception {
    int[] sizes = {0, 1, WINDOW - 1, WINDOW, WINDOW + 1, 5 * WINDOW + 17};
    List<FileRequest> requests = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      byte[] data = random(sizes[i], i);
      contents.add(data);
      requests.add(
          new FileRequest(
              file("f" + i, data), data.length, List.of(new ByteRange(0, data.length)), false));
    }
    for (int threads : new int[] {1, 3}) {
      AtomicLong progress = new AtomicLong();
      List<FileDigests> out =
          DigestEngine.builder()
              .threads(threads)
              .window(WINDOW)
              .progress(progress::addAndGet)
              .build()
              .digest(requests);
      for (int i = 0; i < sizes.length; i++) {
        assertThat(out.get(i).ranges().getFirst().hex())
            .isEqualTo(sha256(contents.get(i), 0, sizes[i]));
        assertThat(out.get(i).tensors()).isEmpty();
      }
      long total = 0;
      for (int s : sizes) {
        total += s;
      }
      assertThat(progress.get()).isEqualTo(total);
    }
  }

  @Test
  void digest_shardRanges_eachMatchesMessageDigestOfItsBytes() throws Exception {
    byte[] data = random(3 * WINDOW + 100, 42);
    List<ByteRange> ranges = new ArrayList<>();
    for (long s = 0; s < data.length; s += 5000) {
      ranges.add(new ByteRange(s, Math.min(data.length, s + 5000)));
    }
    FileRequest r = new FileRequest(file("shards", data), data.length, ranges, false);
    FileDigests out =
        DigestEngine.builder().threads(2).window(WINDOW).build().digest(List.of(r)).getFirst();
    assertThat(out.ranges()).hasSize(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      assertThat(out.ranges().get(i).hex())
          .isEqualTo(sha256(data, ranges.get(i).start(), ranges.get(i).end()));
    }
  }

  /** A weight file with tensors of every kind: one-pass, swapped, undeclared, empty, tiny. */
  private static List<TestWeightFile.Spec> mixedTensors() {
    List<TestWeightFile.Spec> specs = new ArrayList<>();
    Random rnd = new Random(5);
    char[] forms = {'C', 'S', 'X'};
    for (int i = 0; i < 30; i++) {
      int rows = 1 + rnd.nextInt(40);
      int cols = 1 + rnd.nextInt(60);
      DType dt = i % 4 == 0 ? DType.F64 : i % 4 == 1 ? DType.F16 : DType.F32;
      byte[] data = new byte[rows * cols * dt.blockBytes()];
      rnd.nextBytes(data);
      specs.add(new TestWeightFile.Spec("t" + i, dt, Shape.of(rows, cols), data, forms[i % 3]));
    }
    specs.add(new TestWeightFile.Spec("empty", DType.F32, Shape.of(0, 7), new byte[0], 'C'));
    specs.add(new TestWeightFile.Spec("scalar", DType.I32, Shape.scalar(), new byte[4], 'C'));
    byte[] bools = new byte[9000];
    for (int i = 0; i < bools.length; i += 2) {
      bools[i] = 1;
    }
    specs.add(new TestWeightFile.Spec("mask", DType.BOOL, Shape.of(9000), bools, 'C'));
    return specs;
  }

  /** CTD-1 of every tensor of {@code file}, each computed on its own through TensorDigests. */
  private static List<String> referenceDigests(Path file) throws Exception {
    List<String> out = new ArrayList<>();
    try (WeightFile wf =
        TestWeightFile.opener().open(ModelFile.open(file), ParseLimits.defaults()).orElseThrow()) {
      for (var t : wf.tensors()) {
        out.add(TensorDigests.ctd1(wf, t).hex());
      }
    }
    return out;
  }

  @Test
  void digest_tensorsInFilesMode_sameAsOneByOne() throws Exception {
    Path f = dir.resolve("w.testwf");
    TestWeightFile.write(f, mixedTensors(), 13);
    byte[] bytes = Files.readAllBytes(f);
    List<String> expected = referenceDigests(f);
    for (int threads : new int[] {1, 2, 4}) {
      FileDigests out =
          DigestEngine.builder()
              .threads(threads)
              .window(WINDOW)
              .weightFiles(TestWeightFile.opener(), ParseLimits.defaults())
              .build()
              .digest(
                  List.of(
                      new FileRequest(
                          f, bytes.length, List.of(new ByteRange(0, bytes.length)), true)))
              .getFirst();
      assertThat(out.ranges().getFirst().hex()).isEqualTo(sha256(bytes, 0, bytes.length));
      assertThat(out.tensors()).isPresent();
      assertThat(out.tensors().orElseThrow().stream().map(t -> t.digest().hex()).toList())
          .as("threads=%d", threads)
          .isEqualTo(expected);
      assertThat(out.tensors().orElseThrow().getFirst().name()).isEqualTo("t0");
    }
  }

  @Test
  void digest_tensorsAcrossShardBoundaries_sameAsOneByOne() throws Exception {
    Path f = dir.resolve("w.testwf");
    TestWeightFile.write(f, mixedTensors(), 0);
    byte[] bytes = Files.readAllBytes(f);
    List<ByteRange> ranges = new ArrayList<>();
    for (long s = 0; s < bytes.length; s += 7000) {
      ranges.add(new ByteRange(s, Math.min(bytes.length, s + 7000)));
    }
    FileDigests out =
        DigestEngine.builder()
            .threads(3)
            .window(WINDOW)
            .weightFiles(TestWeightFile.opener(), ParseLimits.defaults())
            .build()
            .digest(List.of(new FileRequest(f, bytes.length, ranges, true)))
            .getFirst();
    for (int i = 0; i < ranges.size(); i++) {
      assertThat(out.ranges().get(i).hex())
          .isEqualTo(sha256(bytes, ranges.get(i).start(), ranges.get(i).end()));
    }
    assertThat(out.tensors().orElseThrow().stream().map(t -> t.digest().hex()).toList())
        .isEqualTo(referenceDigests(f));
  }

  @Test
  void digest_notAWeightFile_hasNoTensors() throws Exception {
    byte[] data = "{\"config\": true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    FileDigests out =
        DigestEngine.builder()
            .weightFiles(TestWeightFile.opener(), ParseLimits.defaults())
            .build()
            .digest(
                List.of(
                    new FileRequest(
                        file("config.json", data),
                        data.length,
                        List.of(new ByteRange(0, data.length)),
                        true)))
            .getFirst();
    assertThat(out.tensors()).isEmpty();
    assertThat(out.ranges().getFirst().hex()).isEqualTo(sha256(data, 0, data.length));
  }

  @Test
  void digest_malformedWeightFile_reportsReaderRule() throws Exception {
    byte[] data = "MSTESTWF\nbad line\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path f = file("bad", data);
    assertRule(
        () ->
            DigestEngine.builder()
                .weightFiles(TestWeightFile.opener(), ParseLimits.defaults())
                .build()
                .digest(
                    List.of(
                        new FileRequest(
                            f, data.length, List.of(new ByteRange(0, data.length)), true))),
        "testwf.bad-line");
  }

  @Test
  void digest_badBoolInOnePass_rejected() throws Exception {
    byte[] bools = new byte[3 * WINDOW];
    bools[2 * WINDOW + 5] = (byte) 0x80;
    Path f = dir.resolve("bool.testwf");
    TestWeightFile.write(
        f,
        List.of(new TestWeightFile.Spec("m", DType.BOOL, Shape.of(bools.length), bools, 'C')),
        0);
    long size = Files.size(f);
    assertRule(
        () ->
            DigestEngine.builder()
                .threads(2)
                .window(WINDOW)
                .weightFiles(TestWeightFile.opener(), ParseLimits.defaults())
                .build()
                .digest(List.of(new FileRequest(f, size, List.of(new ByteRange(0, size)), true))),
        TensorDigests.RULE_BOOL_VALUE);
  }

  @Test
  void digest_sizeChangedSinceEnumeration_rejected() throws Exception {
    Path f = file("grown", random(100, 1));
    assertRule(
        () ->
            DigestEngine.builder()
                .build()
                .digest(List.of(new FileRequest(f, 99, List.of(new ByteRange(0, 99)), false))),
        "file.changed");
  }

  @Test
  void digest_fileTruncatedWhileHashing_rejected() throws Exception {
    byte[] data = random(20 * WINDOW, 2);
    Path f = file("shrinks", data);
    AtomicBoolean cut = new AtomicBoolean();
    assertRule(
        () ->
            DigestEngine.builder()
                .threads(1)
                .window(WINDOW)
                .progress(
                    n -> {
                      if (cut.compareAndSet(false, true)) {
                        truncate(f, 3 * WINDOW);
                      }
                    })
                .build()
                .digest(
                    List.of(
                        new FileRequest(
                            f, data.length, List.of(new ByteRange(0, data.length)), false))),
        "file.changed");
  }

  @Test
  void digest_fileModifiedWhileHashing_rejected() throws Exception {
    byte[] data = random(20 * WINDOW, 3);
    Path f = file("changes", data);
    AtomicBoolean touched = new AtomicBoolean();
    assertRule(
        () ->
            DigestEngine.builder()
                .threads(1)
                .window(WINDOW)
                .progress(
                    n -> {
                      if (touched.compareAndSet(false, true)) {
                        appendByte(f);
                      }
                    })
                .build()
                .digest(
                    List.of(
                        new FileRequest(
                            f, data.length, List.of(new ByteRange(0, data.length)), false))),
        "file.changed");
  }

  @Test
  void digest_openerReturnsWeightFileOverAnotherModelFile_refused() throws Exception {
    byte[] data = random(10, 4);
    Path f = file("x", data);
    WeightFileOpener rogue =
        (mf, limits) -> TestWeightFile.opener().open(ModelFile.open(otherTestFile()), limits);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                DigestEngine.builder()
                    .weightFiles(rogue, ParseLimits.defaults())
                    .build()
                    .digest(List.of(new FileRequest(f, 10, List.of(new ByteRange(0, 10)), true))))
        .isInstanceOf(IllegalStateException.class);
  }

  private Path otherTestFile() throws IOException {
    Path o = dir.resolve("other.testwf");
    TestWeightFile.write(
        o, List.of(new TestWeightFile.Spec("a", DType.U8, Shape.of(1), new byte[1], 'C')), 0);
    return o;
  }

  @Test
  void digest_manyFilesOnManyThreads_resultsInRequestOrder() throws Exception {
    List<FileRequest> requests = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] data = random(i * 997, 100 + i);
      requests.add(
          new FileRequest(
              file("m" + i, data), data.length, List.of(new ByteRange(0, data.length)), false));
      expected.add(sha256(data, 0, data.length));
    }
    List<FileDigests> out =
        DigestEngine.builder().threads(4).window(WINDOW).build().digest(requests);
    assertThat(out.stream().map(d -> d.ranges().getFirst().hex()).toList()).isEqualTo(expected);
  }

  @Test
  void digest_openerSaysNotWeights_forEmptyRangesFile_stillHashes() throws Exception {
    Path f = file("empty", new byte[0]);
    FileDigests out =
        DigestEngine.builder()
            .weightFiles((mf, l) -> Optional.empty(), ParseLimits.defaults())
            .build()
            .digest(List.of(new FileRequest(f, 0, List.of(new ByteRange(0, 0)), true)))
            .getFirst();
    assertThat(out.ranges().getFirst().hex()).isEqualTo(sha256(new byte[0], 0, 0));
  }

  private static void truncate(Path f, long size) {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void appendByte(Path f) {
    try {
      Files.write(f, new byte[] {1}, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
