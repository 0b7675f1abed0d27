package dev.modelseal.scan;

import java.util.Set;

/**
 * Pickles: content that starts with a protocol 2+ header, or whose name says pickle ({@code .pkl
 * .pickle .joblib .dill .pt .pth .bin .ckpt}). Protocols 0 and 1 have no header, so anything not
 * identified otherwise also ends up in the pickle emulator (see {@link
 * UnidentifiedContentScanner}). Covers PyTorch's legacy format (magic-number pickle followed by
 * more pickles).
 */
final class PickleFileScanner implements ContentScanner {
  static final Set<String> PICKLE_EXTENSIONS =
      Set.of("pkl", "pickle", "joblib", "dill", "pt", "pth", "bin", "ckpt", "debug_pkl");

  @Override
  public boolean identifies(Content c) {
    // PROTO with a protocol this side of 5: anything else (msgpack maps start with 0x8X) is not
    // loadable as a pickle at all.
    return (c.byteAt(0) == 0x80 && c.byteAt(1) >= 0 && c.byteAt(1) <= 5)
        || PICKLE_EXTENSIONS.contains(c.extension());
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    if (c.size() > 0 && !PickleEmulator.isOpcode(c.byteAt(0))) {
      // No unpickler gets past the first byte: nothing can run. Not a pickle despite its name.
      return UnidentifiedContentScanner.notPickle(c, ctx);
    }
    if (c.byteAt(0) != 0x80 && !c.extension().equals("pkl") && !c.extension().equals("pickle")) {
      // .bin/.pt/... also name raw tensor data and other formats. Without a protocol header,
      // content that breaks before importing or calling anything is not a pickle (it cannot run
      // anything either): report it as unknown data, not as a broken pickle.
      PickleAnalysis a =
          new PickleEmulator(ctx.limits(), ctx.policy()).analyze(c.data(), c.where());
      if (!a.complete() && a.imports().isEmpty() && a.calls().isEmpty()) {
        return UnidentifiedContentScanner.notPickle(c, ctx);
      }
      return report(a, ctx);
    }
    return scanPickle(c, ctx);
  }

  /** Emulates the content as pickle(s) and reports everything found. */
  static Outcome scanPickle(Content c, ScanContext ctx) {
    return report(new PickleEmulator(ctx.limits(), ctx.policy()).analyze(c.data(), c.where()), ctx);
  }

  private static Outcome report(PickleAnalysis a, ScanContext ctx) {
    ctx.findings().addAll(a.findings());
    String kind = a.legacyTorch() ? "pytorch-legacy" : "pickle";
    if (!a.complete()) {
      return Outcome.failed(kind, "pickle could not be parsed completely: " + firstProblem(a));
    }
    return Outcome.scanned(kind);
  }

  private static String firstProblem(PickleAnalysis a) {
    for (Finding f : a.findings()) {
      if (f.severity() == Severity.HIGH
          && (f.rule().startsWith("limit.")
              || f.message().startsWith("malformed")
              || f.rule().equals("pickle.nested-pickle-unresolvable"))) {
        return f.rule() + " at " + f.location();
      }
    }
    return "see findings";
  }
}
