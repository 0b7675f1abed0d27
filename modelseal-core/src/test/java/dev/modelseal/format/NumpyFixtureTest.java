package dev.modelseal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelseal.tensor.TensorInfo;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture numpy (and MLX's writer, reproduced) wrote reads with the dtype and shape numpy
 * reports, and its canonical bytes are numpy's little-endian C-order {@code tobytes()}; every file
 * numpy wrote that the readers must refuse is refused for its rule.
 */
class NumpyFixtureTest {

  static Stream<Arguments> validFixtures() {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode f : NumpyFixtures.expected().get("valid")) {
      out.add(Arguments.of(f.get("file").asText(), f));
    }
    return out.stream();
  }

  static Stream<Arguments> invalidFixtures() {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode f : NumpyFixtures.expected().get("invalid")) {
      out.add(Arguments.of(f.get("file").asText(), f.get("rule").asText()));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFixtures")
  void read_numpyFixture_matchesNumpy(String name, JsonNode expected) throws Exception {
    try (WeightFile file = NumpyFixtures.open(NumpyFixtures.file(name))) {
      assertThat(file.format().id()).isEqualTo(expected.get("format").asText());
      JsonNode tensors = expected.get("tensors");
      assertThat(file.tensors()).hasSize(tensors.size());
      for (int i = 0; i < tensors.size(); i++) {
        JsonNode e = tensors.get(i);
        TensorInfo t = file.tensors().get(i);
        assertThat(t.name()).isEqualTo(e.get("name").asText());
        assertThat(t.dtype().tag()).isEqualTo(e.get("dtype").asText());
        long[] shape = new long[e.get("shape").size()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = e.get("shape").get(d).asLong();
        }
        assertThat(t.shape().toArray()).containsExactly(shape);
        assertThat(t.nbytes()).isEqualTo(e.get("nbytes").asLong());
        byte[] canonical = NumpyFixtures.canonical(file, t);
        assertThat(canonical).hasSize((int) t.nbytes());
        assertThat(NumpyFixtures.sha256(canonical))
            .as("canonical bytes of %s in %s", t.name(), name)
            .isEqualTo(e.get("sha256").asText());
      }
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("invalidFixtures")
  void read_numpyFileOutsideTheRules_rejectedWithItsRule(String name, String rule) {
    assertThatThrownBy(() -> NumpyFixtures.open(NumpyFixtures.file(name)).close())
        .isInstanceOf(FormatException.class)
        .extracting(e -> ((FormatException) e).rule())
        .isEqualTo(rule);
  }

  @Test
  void readCanonical_oneTensorInEveryEncoding_givesIdenticalBytes() throws Exception {
    JsonNode group = NumpyFixtures.expected().get("same_tensor");
    byte[] reference = Files.readAllBytes(NumpyFixtures.file(group.get("canonical").asText()));
    assertThat(reference).hasSize(3 * 4 * 4);
    assertThat(group.get("files").size()).isGreaterThanOrEqualTo(8);
    for (JsonNode f : group.get("files")) {
      try (WeightFile file = NumpyFixtures.open(NumpyFixtures.file(f.asText()))) {
        assertThat(file.tensors()).hasSize(1);
        TensorInfo t = file.tensors().get(0);
        assertThat(t.dtype().tag()).isEqualTo("F32");
        assertThat(t.shape().toArray()).containsExactly(3, 4);
        assertThat(NumpyFixtures.canonical(file, t)).as(f.asText()).isEqualTo(reference);
      }
    }
  }
}
