package dev.modelseal.digest;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * What else the {@link DigestEngine} does with the bytes of one file while it hashes them: the seam
 * through which verification hands over exactly the bytes it verified, instead of a path that is
 * opened again later. Methods are called from worker threads, for disjoint ranges of the file
 * concurrently (shards), and never for a file without ranges (an empty file).
 */
public interface FileCapture {
  /** Hash only; the engine closes the file after its last range. */
  FileCapture NONE = new FileCapture() {};

  /**
   * Where to read {@code [pos, pos + n)} of the file, a segment of exactly {@code n} bytes that the
   * capture owns (its private copy), or null for the engine's own buffer. The engine reads into it
   * and then hashes that segment, so what was hashed is what the capture keeps.
   *
   * @throws FormatException the capture cannot take the file (a limit), failing the hashing
   */
  default MemorySegment target(long pos, int n) throws FormatException {
    return null;
  }

  /**
   * The {@code n} bytes at {@code pos} just read, hashed from this same segment: a copy to disk
   * writes them from here rather than reading the file again. Valid only during the call.
   */
  default void read(MemorySegment data, long pos) throws IOException {}

  /**
   * The file after its last range was hashed and the file found unchanged (size, modification time,
   * file key). The capture takes it over; the default closes it. Not called when hashing failed.
   */
  default void handOver(ModelFile file) throws IOException {
    file.close();
  }
}
