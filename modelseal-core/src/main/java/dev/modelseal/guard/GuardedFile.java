package dev.modelseal.guard;

import dev.modelseal.digest.Digest;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One verified file of a {@link GuardedModel}: read-only views of exactly the bytes that were
 * verified (the private copy, or the mapping of the channel that was hashed). There is no path to
 * open it again; {@link #name()} is the model-relative name, for display.
 */
public final class GuardedFile {
  /** A signed range of the file and its digest. */
  record SignedRange(long start, long end, Digest digest) {}

  private final GuardedModel owner;
  private final String name;
  private final MemorySegment bytes;
  private final ModelFile mapped; // MAPPED: the verified channel; VERIFIED_COPY: null
  private final List<SignedRange> ranges;
  private final ParseLimits limits;
  private Optional<WeightFile> weights; // guarded by this

  GuardedFile(
      GuardedModel owner,
      String name,
      MemorySegment bytes,
      ModelFile mapped,
      List<SignedRange> ranges,
      ParseLimits limits) {
    this.owner = owner;
    this.name = Objects.requireNonNull(name, "name");
    this.bytes = bytes; // writable only for InsecureTestAccess; handed out read-only
    this.mapped = mapped;
    this.ranges = List.copyOf(ranges);
    this.limits = limits;
  }

  /** The model-relative name ({@code /}-separated), for display and lookup. */
  public String name() {
    return name;
  }

  /** Size in bytes, as verified. */
  public long size() {
    return bytes.byteSize();
  }

  /**
   * The whole file, read-only and bounds-checked. Revoking or closing the model releases the memory
   * behind it: later reads through this segment or its slices throw.
   *
   * @throws ModelTamperedException the model was revoked
   */
  public MemorySegment bytes() {
    owner.checkUsable();
    return bytes.asReadOnly();
  }

  /**
   * A stream of the file's bytes (at most {@link #size()}), checking on each read that the model is
   * still usable.
   */
  public InputStream newInputStream() {
    owner.checkUsable();
    return new SegmentStream();
  }

  /**
   * The file as a weight file when its magic bytes (or name) say it is one, parsed with the
   * verification's limits from the verified bytes; tensor views ({@link WeightFile#storedBytes})
   * are slices of them. Parsed once; the model owns it (do not close it).
   *
   * @throws FormatException the file claims a weight format but breaks its rules
   * @throws ModelTamperedException the model was revoked
   */
  public synchronized Optional<WeightFile> weights() throws FormatException {
    owner.checkUsable();
    if (weights == null) {
      // ofSegment makes its own read-only view.
      weights = WeightFiles.open(ModelFile.ofSegment(Path.of(name), bytes), limits);
    }
    return weights;
  }

  MemorySegment segment() {
    return bytes;
  }

  ModelFile mapped() {
    return mapped;
  }

  List<SignedRange> ranges() {
    return ranges;
  }

  @Override
  public String toString() {
    return "GuardedFile[" + name + ", " + size() + " bytes]";
  }

  private final class SegmentStream extends InputStream {
    private long pos;

    @Override
    public int read() {
      owner.checkUsable();
      if (pos >= bytes.byteSize()) {
        return -1;
      }
      return Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, pos++));
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      owner.checkUsable();
      long left = bytes.byteSize() - pos;
      if (len == 0) {
        return 0;
      }
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(long n) {
      long k = Math.max(0, Math.min(n, bytes.byteSize() - pos));
      pos += k;
      return k;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, bytes.byteSize() - pos);
    }
  }
}
