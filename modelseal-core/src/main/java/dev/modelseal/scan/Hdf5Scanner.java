package dev.modelseal.scan;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Weight formats recognised by magic bytes whose format-aware scanning (npy object arrays, GGUF
 * chat templates, safetensors metadata, HDF5 configs) needs the format readers: they are reported
 * as not scanned for embedded code by this component, never as clean without saying so.
 */
final class WeightFormatScanner implements ContentScanner {
  private static final byte[] NPY = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final byte[] GGUF = "GGUF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  @Override
  public boolean identifies(Content c) {
    return kind(c) != null;
  }

  static String kind(Content c) {
    if (c.startsWith(NPY)) {
      return "npy";
    }
    if (c.startsWith(GGUF)) {
      return "gguf";
    }
    if (c.startsWith(HDF5)) {
      return "hdf5";
    }
    if (c.size() >= 10) {
      long n = c.data().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
      if (n >= 2 && n <= c.size() - 8) {
        for (long i = 8; i < Math.min(8 + n, 64); i++) {
          int b = c.byteAt(i);
          if (b == '{') {
            return "safetensors";
          }
          if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
            break;
          }
        }
      }
    }
    return null;
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    String kind = kind(c);
    switch (kind) {
      case "safetensors" ->
          ctx.findings()
              .add(
                  "scan.format-not-inspected",
                  Severity.INFO,
                  c.where(),
                  kind,
                  "safetensors holds no code; its __metadata__ is not examined by this component");
      case "npy" ->
          ctx.findings()
              .add(
                  "scan.format-not-inspected",
                  Severity.LOW,
                  c.where(),
                  kind,
                  "npy not scanned for embedded code by this component (an object array holds a"
                      + " pickle)");
      case "gguf" ->
          ctx.findings()
              .add(
                  "scan.format-not-inspected",
                  Severity.LOW,
                  c.where(),
                  kind,
                  "GGUF not scanned for embedded code by this component (chat templates not"
                      + " examined)");
      default -> {
        boolean kerasWeights = c.container().equals("keras");
        ctx.findings()
            .add(
                "scan.format-not-inspected",
                kerasWeights ? Severity.INFO : Severity.LOW,
                c.where(),
                kind,
                "HDF5 not scanned for embedded code by this component (legacy Keras files keep"
                    + " their model config, Lambda layers included, inside)");
        return Outcome.skipped(kind, "HDF5 is not read by this component");
      }
    }
    return Outcome.scanned(kind);
  }
}
