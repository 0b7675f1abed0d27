package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import java.lang.foreign.MemorySegment;

class ZipArchiveFuzzTest {
  private static final ParseLimits LIMITS =
      ParseLimits.builder().maxTensors(10_000).maxPickleOpcodes(100_000).build();

  /** The permissive walker only ever fails with a FormatException, whatever the bytes. */
  @FuzzTest(maxDuration = "5m")
  void fuzzZip(byte[] data) {
    MemorySegment seg = MemorySegment.ofArray(data);
    Findings out = new Findings("fuzz");
    try {
      ZipArchive zip = ZipArchive.read(seg, LIMITS, out, "");
      for (ZipArchive.Member m : zip.members()) {
        try {
          zip.content(m, 1 << 20, out, m.name());
        } catch (FormatException expected) {
          // a member that cannot be read is reported by the caller
        }
      }
    } catch (FormatException expected) {
      // not readable as a zip at all
    }
    // And the whole container path (dispatch of members, pickles inside) never throws either.
    Findings all = new Findings("fuzz");
    ScanContext ctx =
        new ScanContext(LIMITS, PicklePolicy.defaults(), all, ScanContext.defaultScanners(), true);
    Outcome o = new ZipContainerScanner().scan(new Content("fuzz.zip", seg, "", 0, ""), ctx);
    if (o.status() == FileStatus.FAILED) {
      assertThat(o.reason()).isNotEmpty();
    }
  }
}
