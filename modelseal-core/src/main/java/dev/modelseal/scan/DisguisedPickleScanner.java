package dev.modelseal.scan;

import dev.modelseal.format.ParseLimits;

/**
 * Pickles under a name that says something else ({@code .json}, {@code .jinja}, {@code .md}, {@code
 * .txt}, {@code .py}, ...). {@code pickle.load} and {@code torch.load} never look at the name, so
 * content decides before any name-based scanner is asked: a protocol 2+ header, or headerless
 * (protocol 0/1) content that the emulator reads as a complete pickle that imports or calls
 * something. Names that already say pickle, and extensionless files, are left to {@link
 * PickleFileScanner} and {@link UnidentifiedContentScanner}, which emulate them anyway.
 */
final class DisguisedPickleScanner implements ContentScanner {
  @Override
  public boolean identifies(Content c) {
    String ext = c.extension();
    if (ext.isEmpty()
        || PickleFileScanner.PICKLE_EXTENSIONS.contains(ext)
        || !PickleEmulator.isOpcode(c.byteAt(0))) {
      return false;
    }
    if (c.byteAt(0) == 0x80 && c.byteAt(1) >= 0 && c.byteAt(1) <= 5) {
      return true;
    }
    // Headerless: only what an unpickler would run to the end while importing or calling counts;
    // text that merely starts with an opcode character breaks within a few bytes.
    PickleAnalysis a =
        new PickleEmulator(ParseLimits.defaults(), PicklePolicy.defaults())
            .analyze(c.data(), c.where());
    return a.complete() && (!a.imports().isEmpty() || !a.calls().isEmpty());
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    Outcome o = PickleFileScanner.scanPickle(c, ctx);
    ctx.findings()
        .add(
            "pickle.disguised",
            Severity.MEDIUM,
            c.where(),
            c.baseName(),
            "content is a pickle although its name says ." + c.extension());
    return o;
  }
}
