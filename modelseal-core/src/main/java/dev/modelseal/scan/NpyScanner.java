package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.NpyHeader;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * npy content (a file, or an npz or other archive member), by its {@code \x93NUMPY} magic.
 *
 * <p>An object array ({@code O} descr) stores a pickle after the header, which {@code np.load}
 * unpickles when given {@code allow_pickle=True}: it is emulated like any pickle (its imports
 * graded by the allowlist, a dangerous one critical as anywhere) and the array itself is a medium
 * finding, {@code npy.object-array}: numpy refuses to load it by default, and a weight file has no
 * reason to hold Python objects. Every other array is read by the strict npy reader (its rejection
 * fails the content under the reader's rule) and its values are counted ({@link TensorValueCheck}).
 */
final class NpyScanner implements ContentScanner {
  @Override
  public boolean identifies(Content c) {
    return NpyHeader.hasMagic(c.data());
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    NpyHeader header;
    try {
      header = NpyHeader.parse(c.data(), ctx.limits(), null, null);
    } catch (FormatException e) {
      return Outcome.failed("npy", FormatReading.rejected(e, c, ctx, "the npy reader rejects it"));
    }
    if (isObject(header.descr())) {
      return scanObjectArray(c, header, ctx);
    }
    List<String> failures = new ArrayList<>();
    try (WeightFile npy = FormatReading.read(c, WeightFormat.NPY, ctx)) {
      FormatReading.warnings(npy.warnings(), c, ctx);
      failures.addAll(TensorValueCheck.run(npy, c, ctx));
    } catch (FormatException e) {
      failures.add(FormatReading.rejected(e, c, ctx, "the npy reader rejects it"));
    } catch (IOException e) {
      // Closing bytes the scan holds releases nothing and cannot fail.
      throw new IllegalStateException(e);
    }
    return failures.isEmpty()
        ? Outcome.scanned("npy")
        : Outcome.failed("npy", String.join("; ", failures));
  }

  /**
   * numpy's object type code, with or without a byte order ({@code |O}, {@code O}, {@code |O8}):
   * whatever follows the {@code O}, numpy either unpickles the data or refuses the file, so the
   * data is analysed as a pickle either way.
   */
  static boolean isObject(String descr) {
    String code =
        !descr.isEmpty() && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
    return code.startsWith("O");
  }

  private static Outcome scanObjectArray(Content c, NpyHeader header, ScanContext ctx) {
    ctx.findings()
        .add(
            "npy.object-array",
            Severity.MEDIUM,
            c.where(),
            header.descr() + " " + header.shape(),
            "object array: its data is a pickle that np.load runs when allow_pickle=True (numpy"
                + " refuses it by default); weights have no need for Python objects");
    long offset = header.dataOffset();
    MemorySegment pickle = c.data().asSlice(offset);
    String where = Findings.at(c.where(), "pickle@" + offset);
    PickleAnalysis a = new PickleEmulator(ctx.limits(), ctx.policy()).analyze(pickle, where);
    ctx.findings().addAll(a.findings());
    if (!a.complete()) {
      return Outcome.failed("npy", "the object array's pickle could not be parsed completely");
    }
    return Outcome.scanned("npy");
  }
}
