package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.NpyHeader;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFormat;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * npz archives: a zip whose first member is named {@code *.npy} ({@code np.savez}, {@code
 * np.savez_compressed}, {@code mx.savez}; the test {@link dev.modelseal.format.WeightFiles#detect}
 * makes). Other zips holding npy members are read by {@link ZipContainerScanner}, which hands those
 * members to {@link NpyScanner} just the same.
 *
 * <p>The strict npz reader goes first. When it accepts the archive, every member is a numeric npy
 * array (no object arrays, no other content, no zip inconsistency), so nothing in it can run code:
 * the values are counted by streaming each tensor through the reader, which also verifies each
 * member's CRC-32 and inflation, with flat memory however large the members are.
 *
 * <p>When it rejects the archive, the archive is read as numpy reads it ({@code np.load} uses
 * Python's {@code zipfile}): the lenient {@link ZipArchive} walk reports every inconsistency and
 * each member is scanned by content. A member with the npy magic is what numpy loads as an array
 * (whatever its name), so it goes to {@link NpyScanner}: an object member's pickle is analysed, any
 * other member is checked under the npy rules. numpy hands out a member without the magic as raw
 * bytes and never unpickles it itself; it is still scanned by content (a pickle is found as a
 * pickle, since the code that asked for those bytes may well unpickle them) and is reported as
 * {@code npz.member-not-npy}. The strict reader's rejection is then a finding of its own (a parser
 * differential: the strict reader refuses what numpy may load) unless the walk reported the same
 * problem already, and the archive fails. Only an object member does not fail it: its pickle was
 * analysed in full, and the object array is reported as such.
 */
final class NpzScanner implements ContentScanner {
  private static final ValueLayout.OfShort U16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /**
   * The strict reader's rules that the lenient walk or the npy scanner reports under another id, so
   * that one problem is not reported twice. Only equivalents the walk reports as high count (the
   * file fails, so the finding that says why must be high), and the object array, which does not
   * fail the file.
   */
  private static final Map<String, Set<String>> REPORTED_AS =
      Map.ofEntries(
          Map.entry("npy.descr-object", Set.of("npy.object-array")),
          Map.entry("npz.crc-mismatch", Set.of("zip.crc-mismatch")),
          Map.entry("zip.overlapping-entries", Set.of("zip.overlapping-members")),
          Map.entry("zip.encrypted", Set.of("zip.encryption-flag")),
          Map.entry("zip.strong-encryption", Set.of("zip.encryption-flag")),
          Map.entry("zip.patched-data", Set.of("zip.encryption-flag")),
          Map.entry("zip.local-flags-mismatch", Set.of("zip.encryption-flag")),
          Map.entry("zip.no-end-record", Set.of("zip.no-central-directory")),
          Map.entry("zip.central-directory-bounds", Set.of("zip.no-central-directory")),
          Map.entry("zip.entry-bounds", Set.of("zip.member-out-of-bounds")),
          Map.entry("npz.inflate-corrupt", Set.of("zip.bad-deflate")),
          Map.entry("npz.inflate-truncated", Set.of("zip.bad-deflate", "zip.size-mismatch")),
          Map.entry("npz.inflate-short", Set.of("zip.size-mismatch")),
          Map.entry("npz.inflate-exceeds-declared-size", Set.of("zip.size-mismatch")));

  @Override
  public boolean identifies(Content c) {
    if (!ZipArchive.startsWithLocalHeader(c.data()) || c.size() < 30) {
      return false;
    }
    int nameLength = Short.toUnsignedInt(c.data().get(U16, 26));
    return nameLength >= 4
        && 30L + nameLength <= c.size()
        && c.byteAt(30L + nameLength - 4) == '.'
        && c.byteAt(30L + nameLength - 3) == 'n'
        && c.byteAt(30L + nameLength - 2) == 'p'
        && c.byteAt(30L + nameLength - 1) == 'y';
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    if (c.depth() >= ScanContext.MAX_ARCHIVE_DEPTH) {
      return ZipContainerScanner.scanArchive(c, ctx, (m, member, o) -> {});
    }
    FormatException strict;
    try (WeightFile npz = FormatReading.read(c, WeightFormat.NPZ, ctx)) {
      FormatReading.warnings(npz.warnings(), c, ctx);
      List<String> failures = TensorValueCheck.run(npz, c, ctx);
      return failures.isEmpty()
          ? Outcome.scanned("npz")
          : Outcome.failed("npz", String.join("; ", failures));
    } catch (FormatException e) {
      strict = e;
    } catch (IOException e) {
      throw new IllegalStateException(e); // closing bytes the scan holds cannot fail
    }
    return scanAsNumpyReadsIt(c, ctx, strict);
  }

  private static Outcome scanAsNumpyReadsIt(Content c, ScanContext ctx, FormatException strict) {
    Findings out = ctx.findings();
    int mark = out.size();
    Map<String, String> keys = new HashMap<>();
    List<String> problems = new ArrayList<>();
    Outcome walk =
        ZipContainerScanner.scanArchive(
            c,
            ctx,
            (m, member, o) -> {
              String name = m.name();
              String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
              String other = keys.putIfAbsent(key, name);
              if (other != null && !other.equals(name)) {
                out.add(
                    "npz.duplicate-key",
                    Severity.HIGH,
                    member.where(),
                    key,
                    "members '" + other + "' and '" + name + "' give numpy the same key");
                problems.add("npz.duplicate-key");
              }
              if (!NpyHeader.hasMagic(member.data())) {
                out.add(
                    "npz.member-not-npy",
                    Severity.HIGH,
                    member.where(),
                    o.kind(),
                    "member is not an npy file: numpy hands it out as raw bytes (scanned as "
                        + o.kind()
                        + ")");
                problems.add("npz.member-not-npy");
              }
            });
    boolean reported = alreadyReported(strict, out, mark);
    if (!reported) {
      FormatReading.rejected(
          strict,
          c,
          ctx,
          "the strict npz reader rejects it (numpy reads it as scanned here: parser differential)");
    }
    if (walk.status() == FileStatus.FAILED) {
      return new Outcome("npz", FileStatus.FAILED, walk.reason());
    }
    // An object member the walk found and analysed does not fail the archive; one the strict
    // reader saw but the walk did not means the two read different bytes, which does.
    if (strict.rule().equals("npy.descr-object") && reported && problems.isEmpty()) {
      return Outcome.scanned("npz");
    }
    return Outcome.failed(
        "npz",
        "the strict npz reader rejects it: "
            + strict.rule()
            + ": "
            + FormatReading.detail(strict.getMessage()));
  }

  /**
   * Whether the walk already reported {@code strict}'s problem as high, under its id or another (or
   * reported the object array the strict reader stops at).
   */
  private static boolean alreadyReported(FormatException strict, Findings out, int mark) {
    Set<String> ids = new HashSet<>(REPORTED_AS.getOrDefault(strict.rule(), Set.of()));
    ids.add(strict.rule());
    boolean objectArray = strict.rule().equals("npy.descr-object");
    List<Finding> found = out.list();
    for (int i = mark; i < found.size(); i++) {
      Finding f = found.get(i);
      if (ids.contains(f.rule()) && (objectArray || f.severity().atLeast(Severity.HIGH))) {
        return true;
      }
    }
    return false;
  }
}
