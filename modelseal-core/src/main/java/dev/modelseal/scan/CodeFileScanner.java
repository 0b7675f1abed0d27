package dev.modelseal.scan;

import java.util.Set;

/**
 * Code shipped beside the weights: Python sources and bytecode (run by transformers and mlx-lm when
 * remote code is trusted), shell scripts, native libraries. Each is a finding of its own.
 */
final class CodeFileScanner implements ContentScanner {
  private static final Set<String> PYTHON = Set.of("py", "pyc", "pyo", "pyw", "pyi", "ipynb");
  private static final Set<String> NATIVE = Set.of("so", "dylib", "dll", "exe");

  @Override
  public boolean identifies(Content c) {
    return PYTHON.contains(c.extension())
        || NATIVE.contains(c.extension())
        || nativeMagic(c)
        || (c.byteAt(0) == '#' && c.byteAt(1) == '!');
  }

  private static boolean nativeMagic(Content c) {
    if (c.size() < 4) {
      return false;
    }
    long m =
        ((long) c.byteAt(0) << 24) | (c.byteAt(1) << 16) | (c.byteAt(2) << 8) | (long) c.byteAt(3);
    return m == 0x7f454c46L // ELF
        || m == 0xfeedfacfL
        || m == 0xcffaedfeL // Mach-O 64
        || m == 0xfeedfaceL
        || m == 0xcefaedfeL // Mach-O 32
        || (c.byteAt(0) == 'M' && c.byteAt(1) == 'Z' && c.size() > 64); // PE
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    if (PYTHON.contains(c.extension())) {
      ctx.findings()
          .add(
              "code.python-file",
              Severity.HIGH,
              c.where(),
              c.baseName(),
              "Python code in a model folder: transformers and mlx-lm run it when remote code is"
                  + " trusted");
      return Outcome.scanned("python-source");
    }
    if (c.byteAt(0) == '#' && c.byteAt(1) == '!') {
      ctx.findings()
          .add(
              "code.script",
              Severity.HIGH,
              c.where(),
              c.baseName(),
              "executable script in a model folder");
      return Outcome.scanned("script");
    }
    ctx.findings()
        .add(
            "code.native-binary",
            Severity.HIGH,
            c.where(),
            c.baseName(),
            "native executable or library in a model folder");
    return Outcome.scanned("native-code");
  }
}
