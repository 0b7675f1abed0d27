package dev.modelseal.oms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * Edits a bundle for tamper tests: change the statement or the bundle JSON, then optionally re-sign
 * the payload so that only the targeted check can fail.
 */
final class BundleEditor {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode bundle;

  private BundleEditor(ObjectNode bundle) {
    this.bundle = bundle;
  }

  static BundleEditor read(Path file) throws Exception {
    return new BundleEditor((ObjectNode) JSON.readTree(file.toFile()));
  }

  ObjectNode json() {
    return bundle;
  }

  byte[] payload() {
    return Base64.getDecoder().decode(bundle.at("/dsseEnvelope/payload").asText());
  }

  ObjectNode statement() throws Exception {
    return (ObjectNode) JSON.readTree(payload());
  }

  /** Replaces the payload with the edited statement (not re-signed). */
  BundleEditor statement(ThrowingConsumer<ObjectNode> edit) throws Exception {
    ObjectNode st = statement();
    edit.accept(st);
    return payload(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(st));
  }

  BundleEditor payload(byte[] raw) {
    ((ObjectNode) bundle.get("dsseEnvelope"))
        .put("payload", Base64.getEncoder().encodeToString(raw));
    return this;
  }

  BundleEditor payload(String raw) {
    return payload(raw.getBytes(StandardCharsets.UTF_8));
  }

  BundleEditor bundle(Consumer<ObjectNode> edit) {
    edit.accept(bundle);
    return this;
  }

  /** Signs the current payload and payload type with {@code key} (standard PAE). */
  BundleEditor resign(SigningKey key) {
    String type = bundle.at("/dsseEnvelope/payloadType").asText();
    byte[] sig = Ecdsa.sign(key, Dsse.pae(type, payload()));
    ((ObjectNode) bundle.at("/dsseEnvelope/signatures/0"))
        .put("sig", Base64.getEncoder().encodeToString(sig));
    return this;
  }

  Path write(Path file) throws Exception {
    Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(bundle));
    return file;
  }

  @FunctionalInterface
  interface ThrowingConsumer<T> {
    void accept(T t) throws Exception;
  }
}
