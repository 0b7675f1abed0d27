package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import dev.modelseal.format.SafetensorsFile;
import dev.modelseal.format.SafetensorsReader;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * safetensors content, recognised as the reader recognises it: a little-endian u64 header length
 * that fits the content, then JSON whitespace and an opening brace. The format holds no code; what
 * is checked is its structure (the strict reader: a rejection fails the file under the reader's
 * rule), its {@code __metadata__} strings ({@link MetadataStrings}: code or URLs, low and info) and
 * its tensor values ({@link TensorValueCheck}). Sharded folders are checked against their index by
 * {@link ShardIndexScan}.
 */
final class SafetensorsScanner implements ContentScanner {
  @Override
  public boolean identifies(Content c) {
    if (c.size() < 10) {
      return false;
    }
    long n = c.data().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (n < 2 || n > c.size() - 8) {
      return false;
    }
    for (long i = 8; i < Math.min(8 + n, 72); i++) {
      int b = c.byteAt(i);
      if (b == '{') {
        return true;
      }
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return false;
      }
    }
    return false;
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    List<String> failures = new ArrayList<>();
    try (SafetensorsFile file = SafetensorsReader.read(FormatReading.file(c), ctx.limits())) {
      FormatReading.warnings(file.warnings(), c, ctx);
      MetadataStrings metadata = new MetadataStrings(ctx.findings(), c.where());
      for (Map.Entry<String, String> e : file.stringMetadata().entrySet()) {
        metadata.inspect("__metadata__." + e.getKey(), e.getValue(), false);
      }
      metadata.finish();
      failures.addAll(TensorValueCheck.run(file, c, ctx));
    } catch (FormatException e) {
      failures.add(FormatReading.rejected(e, c, ctx, "the safetensors reader rejects it"));
    } catch (IOException e) {
      throw new IllegalStateException(e); // closing bytes the scan holds cannot fail
    }
    return failures.isEmpty()
        ? Outcome.scanned("safetensors")
        : Outcome.failed("safetensors", String.join("; ", failures));
  }
}
