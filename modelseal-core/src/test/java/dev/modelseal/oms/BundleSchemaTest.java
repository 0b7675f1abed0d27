package dev.modelseal.oms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our bundles and statements validate against the normative OMS JSON schemas. */
class BundleSchemaTest {
  static final String BUNDLE = "https://model_signing/bundle/v1.0/schema";
  static final String STATEMENT = "https://model_signing/statement/v1.0/schema";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private SchemaCheck schemas;

  @BeforeEach
  void load() throws Exception {
    schemas = new SchemaCheck(OmsVectors.spec("schemas"));
  }

  private void assertValid(Path bundle) throws Exception {
    JsonNode b = JSON.readTree(bundle.toFile());
    assertThat(schemas.validate(BUNDLE, b)).isEmpty();
    JsonNode st = JSON.readTree(Base64.getDecoder().decode(b.at("/dsseEnvelope/payload").asText()));
    assertThat(schemas.validate(STATEMENT, st)).isEmpty();
  }

  @Test
  void keyBundle_validates() throws Exception {
    Path m = OmsRoundTripTest.model(tmp.resolve("m"));
    assertValid(
        ModelSigner.builder(SigningKey.generate(Curve.P256))
            .build()
            .sign(m, tmp.resolve("a.sig"))
            .signature());
  }

  @Test
  void shardsBundle_validates() throws Exception {
    Path m = OmsRoundTripTest.model(tmp.resolve("m"));
    assertValid(
        ModelSigner.builder(SigningKey.generate(Curve.P384))
            .shardSize(3)
            .build()
            .sign(m, tmp.resolve("a.sig"))
            .signature());
  }

  @Test
  void certificateBundle_validates() throws Exception {
    Path m = OmsRoundTripTest.model(tmp.resolve("m"));
    TestPki pki = TestPki.create(Curve.P521);
    assertValid(
        ModelSigner.builder(pki.leafKey())
            .certificate(pki.leaf(), List.of(pki.intermediate()))
            .build()
            .sign(m, tmp.resolve("a.sig"))
            .signature());
  }

  @Test
  void singleFileBundle_validates() throws Exception {
    Path m = OmsRoundTripTest.model(tmp.resolve("m"));
    assertValid(
        ModelSigner.builder(SigningKey.generate(Curve.P256))
            .build()
            .sign(m.resolve("config.json"), tmp.resolve("a.sig"))
            .signature());
  }

  @Test
  void checker_specVectors_acceptValidAndRejectInvalid() throws Exception {
    // The checker itself must not be vacuous.
    assertThat(
            schemas.validate(
                BUNDLE, JSON.readTree(OmsVectors.spec("valid/key.bundle.json").toFile())))
        .isEmpty();
    assertThat(
            schemas.validate(
                BUNDLE, JSON.readTree(OmsVectors.spec("valid/sigstore.bundle.json").toFile())))
        .isEmpty();
    assertThat(
            schemas.validate(
                BUNDLE,
                JSON.readTree(OmsVectors.spec("invalid/missing-envelope.bundle.json").toFile())))
        .isNotEmpty();
    assertThat(
            schemas.validate(
                BUNDLE,
                JSON.readTree(
                    OmsVectors.spec("invalid/missing-tlog-entries.bundle.json").toFile())))
        .isNotEmpty();
    JsonNode b = JSON.readTree(OmsVectors.spec("valid/key.bundle.json").toFile());
    ObjectNode st =
        (ObjectNode)
            JSON.readTree(Base64.getDecoder().decode(b.at("/dsseEnvelope/payload").asText()));
    assertThat(schemas.validate(STATEMENT, st)).isEmpty();
    ((ObjectNode) st.get("predicate")).put("extra", 1);
    assertThat(schemas.validate(STATEMENT, st)).isNotEmpty();
  }
}
