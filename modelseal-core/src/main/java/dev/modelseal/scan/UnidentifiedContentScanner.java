package dev.modelseal.scan;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Content no other scanner identified. Pickles are found by content, never by name: protocols 0 and
 * 1 have no header, so the content is emulated as a pickle first. What is not a pickle is either
 * text (harmless to every loader) or binary of unknown type, which is reported, never silently
 * passed.
 */
final class UnidentifiedContentScanner implements ContentScanner {
  private static final int TEXT_SAMPLE = 1 << 16;

  @Override
  public boolean identifies(Content c) {
    return true;
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    if (c.size() == 0) {
      return Outcome.scanned("empty");
    }
    if (!PickleEmulator.isOpcode(c.byteAt(0))) {
      return notPickle(c, ctx);
    }
    PickleAnalysis a = new PickleEmulator(ctx.limits(), ctx.policy()).analyze(c.data(), c.where());
    boolean text = isText(c);
    if (a.complete()) {
      ctx.findings().addAll(a.findings());
      if (!c.extension().isEmpty()) {
        // Extensionless pickles are common (SCANNING.md); a pickle named .txt or .json hides.
        ctx.findings()
            .add(
                "pickle.disguised",
                Severity.MEDIUM,
                c.where(),
                c.baseName(),
                "content is a pickle although its name says ." + c.extension());
      }
      return Outcome.scanned("pickle");
    }
    if (text && a.calls().isEmpty()) {
      // Text that merely starts with an opcode character: an unpickler fails before calling
      // anything, so nothing can run.
      return Outcome.scanned("text");
    }
    if (!text && a.imports().isEmpty() && a.calls().isEmpty()) {
      return notPickle(c, ctx);
    }
    ctx.findings().addAll(a.findings());
    return Outcome.failed("pickle", "content looks like a broken pickle that imports or calls");
  }

  /** Text, or binary of unknown type (a low finding). */
  static Outcome notPickle(Content c, ScanContext ctx) {
    if (isText(c)) {
      return Outcome.scanned("text");
    }
    ctx.findings()
        .add(
            "file.unknown-binary",
            Severity.LOW,
            c.where(),
            c.baseName(),
            "binary content of unknown type: not scanned");
    return Outcome.skipped("unknown", "binary content of unknown type");
  }

  /**
   * UTF-8 without NUL or control characters other than tab, newline, carriage return, form feed.
   */
  static boolean isText(Content c) {
    long n = Math.min(c.size(), TEXT_SAMPLE);
    byte[] b = c.data().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    for (byte x : b) {
      if ((x >= 0 && x < 0x20 && x != '\t' && x != '\n' && x != '\r' && x != '\f') || x == 0x7f) {
        return false;
      }
    }
    CharsetDecoder dec =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(b);
    CoderResult r = dec.decode(in, java.nio.CharBuffer.allocate(b.length + 1), c.size() <= n);
    // A multi-byte character cut by the sample's end is still text.
    return !r.isError() && (in.remaining() < 4 || c.size() <= n);
  }
}
