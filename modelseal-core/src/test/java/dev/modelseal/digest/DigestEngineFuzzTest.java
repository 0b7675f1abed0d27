package dev.modelseal.digest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.ModelSealException;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.Shape;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Differential fuzzing of the engine's one-pass scheduling: for any tensor layout, window size,
 * thread count and shard cut, every range digest must equal a plain SHA-256 of those bytes and
 * every tensor digest the CTD-1 of its canonical bytes computed on its own; a layout one path
 * rejects, the other must reject too. Anything but a {@link FormatException} is a bug.
 */
class DigestEngineFuzzTest {
  private static final DType[] DTYPES = {
    DType.F32,
    DType.F16,
    DType.F64,
    DType.I8,
    DType.BOOL,
    DType.C64,
    DType.C128,
    DType.U8,
    DType.F4,
    DType.F6_E2M3,
    TestWeightFile.DTYPES.get("GGML_Q4_0"),
    TestWeightFile.DTYPES.get("V3")
  };
  private static final char[] FORMS = {'C', 'S', 'X'};
  private static final Path DIR = tempDir();

  private static Path tempDir() {
    try {
      Path d = Files.createTempDirectory("digest-fuzz");
      d.toFile().deleteOnExit();
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void engine_anyLayout_agreesWithReference(FuzzedDataProvider data) throws Exception {
    int count = data.consumeInt(0, 6);
    List<TestWeightFile.Spec> specs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      DType dt = DTYPES[data.consumeInt(0, DTYPES.length - 1)];
      int rank = data.consumeInt(0, 3);
      long[] dims = new long[rank];
      long elements = 1;
      for (int d = 0; d < rank; d++) {
        dims[d] = data.consumeInt(0, 70);
        elements *= dims[d];
      }
      if (elements % dt.blockElements() != 0) {
        dims = new long[] {dt.blockElements() * (long) data.consumeInt(0, 40)};
        elements = dims[0];
      }
      int size = (int) (elements / dt.blockElements() * dt.blockBytes());
      // Usually the right size; sometimes a wrong one, which both paths must reject alike.
      int declared = data.consumeInt(0, 9) == 0 ? data.consumeInt(0, size + 16) : size;
      byte[] payload = new byte[declared];
      new Random(data.consumeLong()).nextBytes(payload);
      if (dt.equals(DType.BOOL) && data.consumeBoolean()) {
        for (int b = 0; b < payload.length; b++) {
          payload[b] &= 1;
        }
      }
      char form = FORMS[data.consumeInt(0, FORMS.length - 1)];
      specs.add(new TestWeightFile.Spec("t" + i, dt, Shape.of(dims), payload, form));
    }
    if (data.consumeBoolean()) {
      Collections.reverse(specs);
    }
    int gap = data.consumeInt(0, 300);
    int window = 4096 * data.consumeInt(1, 3);
    int threads = data.consumeInt(1, 3);
    long shard = data.consumeBoolean() ? 0 : data.consumeLong(1, 20_000);

    Path file = DIR.resolve("f.testwf");
    TestWeightFile.write(file, specs, gap);
    byte[] bytes = Files.readAllBytes(file);
    List<ByteRange> ranges = new ArrayList<>();
    if (shard == 0) {
      ranges.add(new ByteRange(0, bytes.length));
    } else {
      // At most a few thousand shards: tiny shards of a big file only make the run slow.
      shard = Math.max(shard, bytes.length / 2000 + 1);
      for (long s = 0; s < bytes.length; s += shard) {
        ranges.add(new ByteRange(s, Math.min(bytes.length, s + shard)));
      }
    }

    List<Digest> expectedTensors = new ArrayList<>();
    FormatException referenceFailure = null;
    for (TestWeightFile.Spec s : specs) {
      try {
        TensorInfo t = new TensorInfo(s.name(), s.dtype(), s.shape(), 0, s.canonicalLength());
        expectedTensors.add(TensorDigests.ctd1(t, ByteBuffer.wrap(s.canonicalCopy())));
      } catch (FormatException e) {
        referenceFailure = e;
        break;
      }
    }

    List<FileDigests> out;
    try {
      out =
          DigestEngine.builder()
              .threads(threads)
              .window(window)
              .weightFiles(TestWeightFile.opener(1 + gap), ParseLimits.defaults())
              .build()
              .digest(List.of(new FileRequest(file, bytes.length, ranges, true)));
    } catch (FormatException e) {
      assertThat(referenceFailure)
          .as("engine rejected what the reference accepts: %s", e)
          .isNotNull();
      return;
    } catch (ModelSealException | IOException e) {
      throw new AssertionError("unexpected failure", e);
    }
    assertThat(referenceFailure).as("engine accepted what the reference rejects").isNull();
    FileDigests d = out.getFirst();
    for (int i = 0; i < ranges.size(); i++) {
      ByteRange r = ranges.get(i);
      assertThat(d.ranges().get(i).hex()).isEqualTo(sha256(bytes, r.start(), r.end()));
    }
    List<TensorDigest> tensors = d.tensors().orElseThrow();
    assertThat(tensors).hasSize(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      assertThat(tensors.get(i).digest()).isEqualTo(expectedTensors.get(i));
    }
  }

  private static String sha256(byte[] b, long from, long to) throws NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(b, (int) from, (int) (to - from));
    return HexFormat.of().formatHex(md.digest());
  }
}
