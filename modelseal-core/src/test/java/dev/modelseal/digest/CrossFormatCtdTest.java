package dev.modelseal.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.SafetensorsWriter;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import dev.modelseal.tensor.DType;
import dev.modelseal.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DIGESTS.md's promise: one tensor saved by different writers, formats, byte orders, orders and
 * compressions has one CTD-1. The numpy fixtures hold the same 3x4 float32 array in ten encodings
 * (written by numpy and in MLX's npy style); a safetensors file is written here from its canonical
 * bytes. The expected digest is built independently from the CTD-1 definition.
 */
class CrossFormatCtdTest {
  @TempDir Path tmp;

  private static final String[] ENCODINGS = {
    "same_tensor.c_le.npy",
    "same_tensor.be.npy",
    "same_tensor.fortran.npy",
    "same_tensor.fortran_be.npy",
    "same_tensor.mlx.npy",
    "same_tensor.mlx_fortran.npy",
    "same_tensor.savez.npz",
    "same_tensor.savez_be.npz",
    "same_tensor.savez_compressed.npz",
    "same_tensor.savez_compressed_fortran.npz"
  };

  private Path fixture(String name) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/numpy/" + name)) {
      Path p = tmp.resolve(name);
      Files.copy(in, p);
      return p;
    }
  }

  private static byte[] expectedCtd1(long[] shape, byte[] payload) throws Exception {
    ByteArrayOutputStream pre = new ByteArrayOutputStream();
    pre.write("CTD-1\0F32\0".getBytes(StandardCharsets.US_ASCII));
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * shape.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(shape.length);
    for (long d : shape) {
      b.putLong(d);
    }
    b.putLong(payload.length);
    pre.write(b.array());
    pre.write(payload);
    return MessageDigest.getInstance("SHA-256").digest(pre.toByteArray());
  }

  @Test
  void ctd1_sameTensorInEveryEncoding_oneDigest() throws Exception {
    byte[] canonical = Files.readAllBytes(fixture("same_tensor.c_le.bin"));
    Path st =
        SafetensorsWriter.mlx()
            .tensor("same_tensor", DType.F32, new long[] {3, 4}, canonical)
            .write(tmp.resolve("same_tensor.safetensors"));
    List<Path> files = new ArrayList<>();
    for (String e : ENCODINGS) {
      files.add(fixture(e));
    }
    files.add(st);
    Digest expected = Digest.of(HashAlgorithm.SHA256, expectedCtd1(new long[] {3, 4}, canonical));
    for (Path f : files) {
      try (ModelFile mf = ModelFile.open(f);
          WeightFile wf = WeightFiles.open(mf, ParseLimits.defaults()).orElseThrow()) {
        assertThat(wf.tensors()).as(f.toString()).hasSize(1);
        TensorInfo t = wf.tensors().get(0);
        assertThat(t.dtype()).isEqualTo(DType.F32);
        assertThat(TensorDigests.ctd1(wf, t)).as(f.getFileName().toString()).isEqualTo(expected);
      }
    }
  }
}
