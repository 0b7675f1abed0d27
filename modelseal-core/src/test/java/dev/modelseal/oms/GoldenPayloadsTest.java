package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelseal.format.ParseLimits;
import dev.modelseal.manifest.SerializationMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * model-transparency's golden in-toto statements (unsigned) parse under our statement rules: float
 * shard sizes, {@code sha256-sharded-N} algorithms, {@code "."} single-file names, root digests.
 * Statements of empty models have no resources, which OMS forbids.
 */
class GoldenPayloadsTest {
  private static final StrictJson JSON = new StrictJson(ParseLimits.defaults());

  private static List<Path> payloads() throws Exception {
    try (Stream<Path> s = Files.list(OmsVectors.mt("golden-payloads/signing/TestPayload"))) {
      return s.sorted().toList();
    }
  }

  @Test
  void parse_everyNonEmptyGoldenPayload_parsesWithMatchingRootDigest() throws Exception {
    int parsed = 0;
    for (Path p : payloads()) {
      String name = p.getFileName().toString();
      byte[] bytes = Files.readAllBytes(p);
      boolean noResources =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(bytes)
              .at("/predicate/resources")
              .isEmpty();
      if (noResources) {
        assertThatThrownBy(() -> SignedStatement.parse(bytes, JSON))
            .as(name)
            .satisfies(
                e ->
                    assertThat(((VerificationException) e).rule())
                        .isEqualTo("oms.resources-empty"));
        continue;
      }
      SignedStatement st = SignedStatement.parse(bytes, JSON);
      assertThat(st.legacy()).isFalse();
      boolean shards = name.endsWith("_shard") || name.endsWith("_shards");
      assertThat(st.manifest().method())
          .as(name)
          .isEqualTo(shards ? SerializationMethod.SHARDS : SerializationMethod.FILES);
      if (name.endsWith("small_shards")) {
        assertThat(st.manifest().shardSize().getAsLong()).isEqualTo(8);
      }
      parsed++;
    }
    assertThat(parsed).isEqualTo(14);
  }
}
