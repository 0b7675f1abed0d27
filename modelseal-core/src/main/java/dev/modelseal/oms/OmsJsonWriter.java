package dev.modelseal.oms;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.modelseal.manifest.Manifest;
import dev.modelseal.manifest.ResourceDigest;
import dev.modelseal.manifest.SerializationMethod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Writes the OMS statement and the Sigstore bundle with a fixed key order and formatting (two-space
 * indent, {@code \n} line ends, UTF-8), so identical input gives identical bytes apart from the
 * ECDSA signature. Nothing outside the OMS schemas is written.
 */
final class OmsJsonWriter {
  private static final JsonFactory FACTORY = new JsonFactory();

  private OmsJsonWriter() {}

  /** The in-toto statement: the exact bytes that become the DSSE payload. */
  static byte[] statement(String subjectName, Manifest m) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("_type", SignedStatement.STATEMENT_TYPE);
          g.writeArrayFieldStart("subject");
          g.writeStartObject();
          g.writeStringField("name", subjectName);
          g.writeObjectFieldStart("digest");
          g.writeStringField("sha256", m.rootDigest().hex());
          g.writeEndObject();
          g.writeEndObject();
          g.writeEndArray();
          g.writeStringField("predicateType", SignedStatement.PREDICATE_TYPE);
          g.writeObjectFieldStart("predicate");
          g.writeObjectFieldStart("serialization");
          g.writeStringField("method", m.method().id());
          g.writeStringField("hash_type", m.hashAlgorithm().id());
          g.writeBooleanField("allow_symlinks", m.allowSymlinks());
          g.writeArrayFieldStart("ignore_paths");
          for (String p : m.ignorePaths()) {
            g.writeString(p);
          }
          g.writeEndArray();
          if (m.method() == SerializationMethod.SHARDS) {
            g.writeNumberField("shard_size", m.shardSize().getAsLong());
          }
          g.writeEndObject();
          g.writeArrayFieldStart("resources");
          for (ResourceDigest r : m.resources()) {
            g.writeStartObject();
            g.writeStringField("name", r.name());
            g.writeStringField("algorithm", r.digest().algorithm().id());
            g.writeStringField("digest", r.digest().hex());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  /** A key-method bundle: {@code publicKey.hint} plus an empty {@code tlogEntries}. */
  static byte[] keyBundle(String hint, byte[] payload, byte[] signature) {
    return bundle(
        g -> {
          g.writeObjectFieldStart("publicKey");
          g.writeStringField("hint", hint);
          g.writeEndObject();
        },
        payload,
        signature);
  }

  /** A certificate-method bundle: the leaf then the intermediates, DER in base64. */
  static byte[] certificateBundle(List<X509Certificate> chain, byte[] payload, byte[] signature) {
    return bundle(
        g -> {
          g.writeObjectFieldStart("x509CertificateChain");
          g.writeArrayFieldStart("certificates");
          for (X509Certificate c : chain) {
            g.writeStartObject();
            try {
              g.writeStringField("rawBytes", Base64.getEncoder().encodeToString(c.getEncoded()));
            } catch (CertificateEncodingException e) {
              throw new IllegalStateException("a parsed certificate re-encodes", e);
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        },
        payload,
        signature);
  }

  private static byte[] bundle(Body material, byte[] payload, byte[] signature) {
    byte[] json =
        write(
            g -> {
              g.writeStartObject();
              g.writeStringField("mediaType", Bundle.MEDIA_TYPE);
              g.writeObjectFieldStart("verificationMaterial");
              material.write(g);
              g.writeArrayFieldStart("tlogEntries");
              g.writeEndArray();
              g.writeEndObject();
              g.writeObjectFieldStart("dsseEnvelope");
              g.writeStringField("payload", Base64.getEncoder().encodeToString(payload));
              g.writeStringField("payloadType", Dsse.IN_TOTO_PAYLOAD_TYPE);
              g.writeArrayFieldStart("signatures");
              g.writeStartObject();
              g.writeStringField("sig", Base64.getEncoder().encodeToString(signature));
              g.writeStringField("keyid", "");
              g.writeEndObject();
              g.writeEndArray();
              g.writeEndObject();
              g.writeEndObject();
            });
    byte[] out = new byte[json.length + 1];
    System.arraycopy(json, 0, out, 0, json.length);
    out[json.length] = '\n';
    return out;
  }

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DefaultIndenter indent = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter pp =
        new DefaultPrettyPrinter(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(indent)
            .withArrayIndenter(indent);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.setPrettyPrinter(pp);
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory", e);
    }
    return out.toByteArray();
  }
}
