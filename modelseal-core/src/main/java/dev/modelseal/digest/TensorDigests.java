package dev.modelseal.digest;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.WeightFile;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The canonical tensor digests of DIGESTS.md: CTD-1 of one tensor (independent of file format,
 * writer, padding, compression, member order and byte order) and CTM-1 of a set of named tensors.
 *
 * <pre>
 * CTD-1(t) = SHA-256("CTD-1" 0x00  dtype-tag 0x00  u32le rank  u64le dim...  u64le nbytes  payload)
 * CTM-1    = SHA-256("CTM-1" 0x00  { u32le len(name)  name-utf8  CTD-1(t) }  sorted by name bytes)
 * </pre>
 */
public final class TensorDigests {
  /**
   * Rule broken by a BOOL tensor holding a byte other than 0 or 1. Readers checking the same rule
   * in {@link WeightFile#readCanonical} may use this name so both paths report alike.
   */
  public static final String RULE_BOOL_VALUE = "tensor.bool-not-0-or-1";

  private static final byte[] CTM1_MAGIC = {'C', 'T', 'M', '-', '1', 0};

  private static final Comparator<byte[]> BYTE_ORDER = Arrays::compareUnsigned;

  private TensorDigests() {}

  /**
   * CTD-1 of one tensor of {@code file}: read straight from the file when its stored bytes are
   * canonical, otherwise through {@link WeightFile#readCanonical}.
   *
   * @throws FormatException the tensor's size does not match its dtype and shape, its canonical
   *     payload has the wrong length, a BOOL byte is not 0 or 1, or the reader found a data-level
   *     fault
   */
  public static Digest ctd1(WeightFile file, TensorInfo tensor)
      throws IOException, FormatException {
    try (Ctd1Computation c = Ctd1Computation.start(file.path(), tensor)) {
      if (tensor.nbytes() > 0 && file.storedCanonically(tensor)) {
        ModelFile source = file.source();
        long end = storedEnd(file.path(), tensor, source.size());
        readMapped(source.channel(), tensor.offset(), end, c);
      } else {
        streamCanonical(file, tensor, c);
      }
      return c.finish();
    }
  }

  /**
   * CTD-1 of a tensor given its canonical payload directly (tests, and callers that already hold
   * the bytes).
   */
  public static Digest ctd1(TensorInfo tensor, ByteBuffer canonicalPayload) throws FormatException {
    try (Ctd1Computation c = Ctd1Computation.start(null, tensor)) {
      c.update(MemorySegment.ofBuffer(canonicalPayload));
      return c.finish();
    }
  }

  /**
   * CTM-1 over one weight file's tensors or a sharded set's: entries sorted by the UTF-8 bytes of
   * their names, which must be unique.
   *
   * @throws FormatException {@code ctm1.duplicate-tensor-name} when two tensors share a name
   */
  public static Digest ctm1(List<TensorDigest> tensors) throws FormatException {
    List<Entry> entries = new ArrayList<>(tensors.size());
    for (TensorDigest t : tensors) {
      entries.add(new Entry(t.name().getBytes(StandardCharsets.UTF_8), t));
    }
    entries.sort((a, b) -> BYTE_ORDER.compare(a.name, b.name));
    try (Sha256 sha = Sha256.create()) {
      sha.update(CTM1_MAGIC);
      byte[] previous = null;
      ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      for (Entry e : entries) {
        if (previous != null && Arrays.equals(previous, e.name)) {
          throw new FormatException(
              "ctm1.duplicate-tensor-name",
              null,
              -1,
              e.tensor.name(),
              "tensor name appears more than once in the set");
        }
        previous = e.name;
        sha.update(len.clear().putInt(e.name.length).array());
        sha.update(e.name);
        sha.update(e.tensor.digest().toByteArray());
      }
      return Digest.of(HashAlgorithm.SHA256, sha.finish());
    }
  }

  /** A tensor digest with its name encoded once for sorting. */
  private static final class Entry {
    final byte[] name;
    final TensorDigest tensor;

    Entry(byte[] name, TensorDigest tensor) {
      this.name = name;
      this.tensor = tensor;
    }
  }

  /**
   * End offset of a tensor's stored bytes, checked to lie inside the file before anything is read.
   */
  static long storedEnd(Path file, TensorInfo t, long fileSize) throws FormatException {
    long end;
    try {
      end = Math.addExact(t.offset(), t.nbytes());
    } catch (ArithmeticException e) {
      end = Long.MAX_VALUE;
    }
    if (end > fileSize) {
      throw new FormatException(
          "ctd1.tensor-outside-file",
          file,
          t.offset(),
          t.name(),
          "stored bytes end past the end of the file (" + fileSize + " bytes)");
    }
    return end;
  }

  /** Streams {@link WeightFile#readCanonical} into {@code c}, passing its rule failures through. */
  static void streamCanonical(WeightFile file, TensorInfo tensor, Ctd1Computation c)
      throws IOException, FormatException {
    try {
      file.readCanonical(
          tensor,
          chunk -> {
            try {
              c.update(MemorySegment.ofBuffer(chunk));
            } catch (FormatException e) {
              throw new RuleBroken(e);
            }
          });
    } catch (RuleBroken e) {
      throw e.rule;
    }
  }

  /** Carries a {@link FormatException} out of a {@link dev.modelseal.format.CanonicalSink}. */
  private static final class RuleBroken extends IOException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // never serialized: caught a few frames up
    private final FormatException rule;

    RuleBroken(FormatException rule) {
      super(rule.getMessage(), rule);
      this.rule = rule;
    }
  }

  /**
   * Feeds {@code [start, end)} of the channel to {@code c} through positional reads in a buffer of
   * its own (not the file's mapping, so resident memory stays flat).
   */
  private static void readMapped(FileChannel ch, long start, long end, Ctd1Computation c)
      throws IOException, FormatException {
    try (Arena arena = Arena.ofConfined()) {
      int window = (int) Math.min(DigestEngine.DEFAULT_WINDOW, end - start);
      MemorySegment buffer = arena.allocate(window, 4096);
      ByteBuffer bb = buffer.asByteBuffer();
      for (long pos = start; pos < end; ) {
        int n = (int) Math.min(window, end - pos);
        bb.clear().limit(n);
        while (bb.hasRemaining()) {
          if (ch.read(bb, pos + bb.position()) < 0) {
            throw new FormatException(
                "file.changed",
                null,
                pos + bb.position(),
                c.tensor().name(),
                "file became shorter while it was being read");
          }
        }
        c.update(buffer.asSlice(0, n));
        pos += n;
      }
    }
  }
}
