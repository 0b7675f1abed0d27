package dev.modelseal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The files numpy and MLX wrote (src/test/fixtures/make_numpy_fixtures.py): every one the readers
 * accept scans without a finding of medium or worse; every one they refuse fails under the reader's
 * rule, except object arrays, whose pickle is analysed instead.
 */
class NumpyFixtureScanTest {
  static JsonNode expected() throws IOException, URISyntaxException {
    return new ObjectMapper().readTree(NpyScannerTest.fixture("expected.json").toFile());
  }

  static Stream<String> valid() throws Exception {
    List<String> names = new ArrayList<>();
    expected().get("valid").forEach(e -> names.add(e.get("file").asText()));
    return names.stream();
  }

  static Stream<Arguments> invalid() throws Exception {
    List<Arguments> args = new ArrayList<>();
    expected()
        .get("invalid")
        .forEach(e -> args.add(Arguments.of(e.get("file").asText(), e.get("rule").asText())));
    return args.stream();
  }

  @ParameterizedTest
  @MethodSource("valid")
  void scan_validFixture_scannedWithoutMediumOrWorse(String name) throws Exception {
    Path p = NpyScannerTest.fixture(name);
    FileReport f = NpyScannerTest.scan(p);
    assertThat(f.findings())
        .as(name)
        .allSatisfy(x -> assertThat(x.severity().atLeast(Severity.MEDIUM)).isFalse());
    if (name.equals("savez_nothing.npz")) {
      return; // np.savez() of nothing: an empty zip, which other loaders take for a pickle too
    }
    assertThat(f.status()).as(name).isEqualTo(FileStatus.SCANNED);
    assertThat(f.kind()).as(name).isEqualTo(name.endsWith(".npz") ? "npz" : "npy");
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void scan_refusedFixture_failedUnderTheReadersRuleUnlessObject(String name, String rule)
      throws Exception {
    FileReport f = NpyScannerTest.scan(NpyScannerTest.fixture(name));
    if (rule.equals("npy.descr-object")) {
      assertThat(f.status()).as(name).isEqualTo(FileStatus.SCANNED);
      assertThat(NpyScannerTest.rules(f)).as(name).contains("npy.object-array");
    } else {
      assertThat(f.status()).as(name).isEqualTo(FileStatus.FAILED);
      assertThat(NpyScannerTest.finding(f, rule).severity()).isEqualTo(Severity.HIGH);
    }
  }

  @Test
  void scan_fixtureFolder_floatFixturesCarryTheirNaNsAndInfinities() throws Exception {
    // The generator writes [-0.0, 1.5, -2.25, inf, -inf, nan, ...] into every float fixture.
    FileReport f = NpyScannerTest.scan(NpyScannerTest.fixture("dtype_f2.npy"));
    assertThat(NpyScannerTest.finding(f, "tensor.nan").subject()).isEqualTo("1 of 12 F16 values");
    assertThat(NpyScannerTest.finding(f, "tensor.inf").subject()).isEqualTo("2 of 12 F16 values");
  }
}
