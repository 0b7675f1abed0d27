package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.format.ParseLimits;
import java.lang.foreign.MemorySegment;

class FormatScanFuzzTest {
  private static final ParseLimits LIMITS =
      ParseLimits.builder()
          .maxTensors(10_000)
          .maxPickleOpcodes(100_000)
          .maxTextBytes(1 << 16)
          .maxArrayElements(1 << 20)
          .build();

  /**
   * Whatever the bytes (seeded with npy, npz, GGUF and safetensors files), the format-aware
   * scanners, their strict readers on in-memory content, the npz differential walk and the tensor
   * value counts never throw, and a failed outcome always says why and carries a high finding.
   */
  @FuzzTest(maxDuration = "5m")
  void fuzzWeightFormats(byte[] data) {
    MemorySegment seg = MemorySegment.ofArray(data);
    Findings out = new Findings("fuzz");
    ScanContext ctx =
        new ScanContext(LIMITS, PicklePolicy.defaults(), out, ScanContext.defaultScanners(), true);
    Outcome o = ctx.dispatch(new Content("fuzz.bin", seg, "", 0, ""));
    if (o.status() == FileStatus.FAILED) {
      assertThat(o.reason()).isNotEmpty();
      assertThat(out.list()).anyMatch(f -> f.severity().atLeast(Severity.HIGH));
    }
  }
}
