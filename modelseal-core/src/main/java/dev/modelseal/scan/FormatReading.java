package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.ModelFile;
import dev.modelseal.format.Problem;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import dev.modelseal.format.WeightFormat;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Runs the strict format readers over content being scanned and turns what they say into findings:
 * a rejection is a high finding under the reader's own rule id (the same id {@code modelseal
 * inspect} and {@code verify} print), a warning a low or info one.
 */
final class FormatReading {
  /**
   * Reader warnings that mean another loader reads the file differently: MLX takes the npy header
   * by position, so it loads other data than numpy does, and stores dimensions as int32.
   */
  static final Set<String> DIFFERENTIAL_WARNINGS =
      Set.of(
          "npy.header-key-order", "npy.header-mlx-positional", "safetensors.dimension-above-int32");

  private FormatReading() {}

  /**
   * Reads {@code c} as {@code format}. The result reads {@code c}'s bytes in place; closing it
   * releases nothing (the bytes belong to the scan).
   */
  static WeightFile read(Content c, WeightFormat format, ScanContext ctx) throws FormatException {
    return WeightFiles.read(file(c), format, ctx.limits());
  }

  /** {@code c}'s bytes as a file the readers take; closing it releases nothing. */
  static ModelFile file(Content c) {
    return ModelFile.ofSegment(pathOf(c), c.data());
  }

  /** A name for messages and npy tensor names; member names come from hostile archives. */
  static Path pathOf(Content c) {
    StringBuilder sb = new StringBuilder(c.name().length());
    for (int i = 0; i < c.name().length(); i++) {
      char ch = c.name().charAt(i);
      sb.append(ch < 0x20 ? '?' : ch);
    }
    try {
      return Path.of(sb.isEmpty() ? "member" : sb.toString());
    } catch (InvalidPathException e) {
      return Path.of("member");
    }
  }

  /**
   * Reports a reader's rejection as a high finding named by its rule.
   *
   * @param what who rejects what, e.g. {@code "the npy reader rejects the file"}
   * @return the reason to give for the failed outcome
   */
  static String rejected(FormatException e, Content c, ScanContext ctx, String what) {
    String detail = detail(e.getMessage());
    ctx.findings()
        .add(e.rule(), Severity.HIGH, c.where(), e.location().orElse(""), what + ": " + detail);
    return e.rule() + ": " + detail;
  }

  /** Reader warnings: low when another loader reads the file differently, info otherwise. */
  static void warnings(List<Problem> warnings, Content c, ScanContext ctx) {
    for (Problem p : warnings) {
      ctx.findings()
          .add(
              p.rule(),
              DIFFERENTIAL_WARNINGS.contains(p.rule()) ? Severity.LOW : Severity.INFO,
              c.where(),
              "",
              detail(p.message()));
    }
  }

  /** The message without the file name and rule the reader put in front of it. */
  static String detail(String message) {
    int close = message.indexOf("] ");
    int open = message.indexOf('[');
    return open >= 0 && close > open ? message.substring(close + 2) : message;
  }
}
