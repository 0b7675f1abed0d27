package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed fixture and seed files are exactly what {@link GgufFixtures} generates. */
class GgufFixturesTest {
  private static final String SEEDS = "/dev/modelseal/format/GgufFuzzTestInputs/fuzzRead/";

  static Stream<String> fixtureNames() {
    return GgufFixtures.all().keySet().stream();
  }

  static Stream<String> malformedSeedNames() {
    return GgufFixtures.malformedSeeds().keySet().stream();
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = GgufFixturesTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path + " (run GgufFixtures.main to regenerate)").isNotNull();
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @MethodSource("fixtureNames")
  void committedFixture_equalsWriterOutput(String name) throws Exception {
    byte[] expected = GgufFixtures.all().get(name);

    assertThat(resource(GgufFixtures.RESOURCE_DIR + name)).isEqualTo(expected);
    assertThat(resource(SEEDS + name)).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("malformedSeedNames")
  void malformedSeed_equalsWriterOutputAndIsRejected(String name) throws Exception {
    byte[] seed = resource(SEEDS + name);

    assertThat(seed).isEqualTo(GgufFixtures.malformedSeeds().get(name));
    try {
      GgufReaderTest.parse(seed);
      throw new AssertionError(name + " was accepted");
    } catch (FormatException e) {
      assertThat(e.rule()).startsWith("gguf.");
    }
  }
}
