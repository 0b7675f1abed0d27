package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelseal.format.ParseLimits;
import java.lang.foreign.MemorySegment;

class PickleEmulatorFuzzTest {
  // Small limits keep each input fast; the limits themselves are part of what is fuzzed.
  private static final PickleEmulator EMULATOR =
      new PickleEmulator(
          ParseLimits.builder()
              .maxPickleOpcodes(100_000)
              .maxPickleMemo(10_000)
              .maxPickleDepth(64)
              .build(),
          PicklePolicy.defaults());

  /**
   * Hostile bytes never escape as an exception (analyze reports malformation as findings), and an
   * incomplete analysis always carries a finding that says so: never "clean".
   */
  @FuzzTest(maxDuration = "5m")
  void fuzzPickle(byte[] data) {
    PickleAnalysis a = EMULATOR.analyze(MemorySegment.ofArray(data), "");
    if (!a.complete()) {
      assertThat(a.findings()).anyMatch(f -> f.severity().atLeast(Severity.HIGH));
    }
    for (Finding f : a.findings()) {
      assertThat(f.message()).doesNotContain("\n");
    }
  }
}
