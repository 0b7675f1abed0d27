package dev.modelseal.forensics;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.WeightFile;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A tensor's canonical bytes as one read-only segment: the stored bytes themselves when they are
 * already canonical, otherwise a private temporary file the canonical stream is written to (so
 * memory use does not grow with the tensor, however large).
 */
final class CanonicalTensor implements AutoCloseable {
  private final MemorySegment bytes;
  private final Arena arena;
  private final Path temp;

  private CanonicalTensor(MemorySegment bytes, Arena arena, Path temp) {
    this.bytes = bytes;
    this.arena = arena;
    this.temp = temp;
  }

  static CanonicalTensor of(WeightFile file, TensorInfo tensor)
      throws IOException, FormatException {
    if (file.storedCanonically(tensor)) {
      return new CanonicalTensor(file.storedBytes(tensor), null, null);
    }
    Path temp = Files.createTempFile("modelseal-tensor-", ".bin");
    Arena arena = null;
    try {
      try (FileChannel out =
          FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        file.readCanonical(
            tensor,
            chunk -> {
              while (chunk.hasRemaining()) {
                out.write(chunk);
              }
            });
      }
      if (Files.size(temp) != tensor.nbytes()) {
        throw new FormatException(
            "tensor.canonical-size",
            file.path(),
            tensor.offset(),
            tensor.name(),
            "canonical data is " + Files.size(temp) + " bytes, expected " + tensor.nbytes());
      }
      if (tensor.nbytes() == 0) {
        Files.deleteIfExists(temp);
        return new CanonicalTensor(MemorySegment.ofArray(new byte[0]), null, null);
      }
      arena = Arena.ofConfined();
      MemorySegment seg;
      try (FileChannel in = FileChannel.open(temp, StandardOpenOption.READ)) {
        seg = in.map(FileChannel.MapMode.READ_ONLY, 0, tensor.nbytes(), arena);
      }
      return new CanonicalTensor(seg.asReadOnly(), arena, temp);
    } catch (IOException | FormatException | RuntimeException e) {
      if (arena != null) {
        arena.close();
      }
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  MemorySegment bytes() {
    return bytes;
  }

  @Override
  public void close() throws IOException {
    if (arena != null) {
      arena.close();
    }
    if (temp != null) {
      Files.deleteIfExists(temp);
    }
  }
}
