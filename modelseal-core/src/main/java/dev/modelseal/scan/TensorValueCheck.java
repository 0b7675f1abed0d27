package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.WeightFile;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams every tensor of a weight file through a {@link TensorValueCounter}: NaN and infinite
 * values and all-zero tensors become info findings ({@code tensor.nan}, {@code tensor.inf}, {@code
 * tensor.all-zero}). Streaming is what checks the readers' data-level rules (npz CRC-32 and
 * inflation, BOOL bytes 0 or 1), so a broken tensor is a high finding under the reader's rule and
 * fails the file. Memory stays flat: the readers hand out bounded chunks.
 *
 * <p>Turned off by {@link ModelScanner#withTensorStats(boolean)} for pure pickle triage; the
 * data-level rules are then not checked either.
 */
final class TensorValueCheck {
  /** Per file; a model with thousands of zero-initialised biases must not flood the report. */
  static final int MAX_FINDINGS = 50;

  private TensorValueCheck() {}

  /**
   * Checks every tensor of {@code file} (if tensor statistics are on).
   *
   * @return why the file failed, one entry per tensor whose data broke a rule; empty when none did
   */
  static List<String> run(WeightFile file, Content c, ScanContext ctx) {
    List<String> failures = new ArrayList<>();
    if (!ctx.tensorStats()) {
      return failures;
    }
    int reported = 0;
    long suppressed = 0;
    for (TensorInfo t : file.tensors()) {
      if (t.nbytes() == 0) {
        continue;
      }
      String loc = Findings.at(c.where(), "tensor " + t.name());
      TensorValueCounter counter = new TensorValueCounter(t.dtype());
      try {
        file.readCanonical(t, counter);
      } catch (FormatException e) {
        failures.add(
            FormatReading.rejected(
                e, at(c, loc), ctx, "the tensor data breaks a rule of its format"));
        continue;
      } catch (IOException e) {
        // The data is in memory or mapped; only a deflated Fortran-order npz member needs a
        // scratch file, which the system may refuse.
        String why = e.getClass().getSimpleName() + " " + e.getMessage();
        ctx.findings()
            .add(
                "tensor.unreadable",
                Severity.HIGH,
                loc,
                "",
                "tensor data could not be read: " + why);
        failures.add("tensor.unreadable: " + why);
        continue;
      }
      List<Observation> seen = observe(t, counter);
      for (Observation o : seen) {
        if (reported < MAX_FINDINGS) {
          ctx.findings().add(o.rule(), Severity.INFO, loc, o.subject(), o.message());
          reported++;
        } else {
          suppressed++;
        }
      }
    }
    if (suppressed > 0) {
      ctx.findings()
          .add(
              "tensor.findings-truncated",
              Severity.INFO,
              c.where(),
              suppressed + " more",
              "more tensor value findings than the "
                  + MAX_FINDINGS
                  + " listed; "
                  + suppressed
                  + " not shown");
    }
    return failures;
  }

  private record Observation(String rule, String subject, String message) {}

  private static List<Observation> observe(TensorInfo t, TensorValueCounter counter) {
    List<Observation> out = new ArrayList<>(2);
    String of = " of " + counter.scalars() + " " + t.dtype().tag() + " values";
    if (counter.nan() > 0) {
      out.add(
          new Observation(
              "tensor.nan",
              counter.nan() + of,
              "NaN values: no trained weight is NaN; a sign of a corrupted or sabotaged model"));
    }
    if (counter.infinite() > 0) {
      out.add(
          new Observation(
              "tensor.inf",
              counter.infinite() + of,
              "infinite values: a sign of a corrupted or sabotaged model"));
    }
    if (counter.allZero()) {
      out.add(
          new Observation(
              "tensor.all-zero",
              t.dtype().tag() + " " + t.shape(),
              "every value is zero: normal for some biases and buffers, a sign of a wiped layer"
                  + " elsewhere"));
    }
    return out;
  }

  /** The content with its location narrowed to one tensor, for the reader's rejection. */
  private static Content at(Content c, String loc) {
    return new Content(c.name(), c.data(), loc, c.depth(), c.container());
  }
}
