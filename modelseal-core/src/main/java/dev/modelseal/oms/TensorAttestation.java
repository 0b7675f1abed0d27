package dev.modelseal.oms;

import static dev.modelseal.oms.StrictJson.array;
import static dev.modelseal.oms.StrictJson.element;
import static dev.modelseal.oms.StrictJson.object;
import static dev.modelseal.oms.StrictJson.onlyKeys;
import static dev.modelseal.oms.StrictJson.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.digest.Digest;
import dev.modelseal.digest.TensorDigest;
import dev.modelseal.digest.TensorDigests;
import dev.modelseal.format.FormatException;
import dev.modelseal.format.ParseLimits;
import dev.modelseal.format.WeightFile;
import dev.modelseal.format.WeightFiles;
import dev.modelseal.manifest.ModelDigests;
import dev.modelseal.manifest.TensorSet;
import dev.modelseal.manifest.WeightFileTensors;
import dev.modelseal.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensor attestation written beside an OMS bundle ({@code model.sig.tensors}): a second DSSE
 * bundle, signed with the same key and carrying the same subject, whose predicate lists every
 * weight file's tensors with their CTD-1 digests. It never takes part in the pass/fail decision:
 * when verification has already failed because weight files changed, it lets the verifier say which
 * tensors changed. The OMS bundle itself stays pure OMS.
 */
final class TensorAttestation {
  /** Our predicate type; nothing of ours goes inside the OMS statement. */
  static final String PREDICATE_TYPE = "https://modelseal.dev/tensors/v1";

  /** The attestation's signature does not verify with the key that signed the OMS bundle. */
  static final String SIGNATURE_INVALID = "tensors.signature-invalid";

  /** A valid statement, but of another type or for another signing (another root digest). */
  static final String FOREIGN = "tensors.not-for-this-signature";

  /** The statement does not have the shape this predicate type defines. */
  static final String MALFORMED = "tensors.malformed";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TensorAttestation() {}

  /**
   * What a valid attestation promises: weight file path to tensor name to CTD-1 (lower-case hex),
   * in attestation order.
   */
  record Expectations(Map<String, Map<String, String>> files) {
    Expectations {
      Map<String, Map<String, String>> copy = new LinkedHashMap<>();
      files.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
      files = Collections.unmodifiableMap(copy);
    }
  }

  /** The in-toto statement: same subject as the OMS statement, CTD-1 of every tensor. */
  static byte[] statement(String subjectName, Digest root, ModelDigests digests) {
    Map<String, Object> st = new LinkedHashMap<>();
    st.put("_type", "https://in-toto.io/Statement/v1");
    st.put("subject", List.of(Map.of("name", subjectName, "digest", Map.of("sha256", root.hex()))));
    st.put("predicateType", PREDICATE_TYPE);
    List<Object> files = new ArrayList<>();
    for (WeightFileTensors f : digests.weightFiles()) {
      List<Object> tensors = new ArrayList<>();
      for (TensorDigest t : f.tensors()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("dtype", t.dtype().tag());
        m.put("shape", t.shape().toArray());
        m.put("ctd1", t.digest().hex());
        tensors.add(m);
      }
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("path", f.path());
      fm.put("tensors", tensors);
      files.add(fm);
    }
    List<Object> sets = new ArrayList<>();
    for (TensorSet s : digests.tensorSets()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", s.path());
      m.put("files", s.files());
      m.put("ctm1", s.ctm1().hex());
      sets.add(m);
    }
    Map<String, Object> predicate = new LinkedHashMap<>();
    predicate.put("files", files);
    predicate.put("tensor_sets", sets);
    st.put("predicate", predicate);
    try {
      return MAPPER.writeValueAsBytes(st);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the tensor attestation", e);
    }
  }

  /**
   * Lines explaining which tensors of the changed weight files differ from the attestation, or one
   * line saying why the attestation is ignored. Never throws for a hostile attestation or weight
   * file: it only explains a failure that has already happened, and an attestation that is not
   * valid for this signature is reported and ignored, never trusted in part.
   */
  static List<String> explain(
      Path model,
      Path companion,
      ECPublicKey key,
      Digest signedRoot,
      List<ModelDifference> differences,
      ParseLimits limits) {
    List<String> lines = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (ModelDifference d : differences) {
      if (d.kind() == ModelDifference.Kind.CHANGED) {
        changed.add(fileOf(d.name()));
      }
    }
    if (changed.isEmpty() || !Files.exists(companion, LinkOption.NOFOLLOW_LINKS)) {
      return lines;
    }
    String shown =
        "tensor attestation "
            + VerificationException.printable(String.valueOf(companion.getFileName()));
    // Not a regular file (a FIFO would block the read, a link could point anywhere): not ours.
    if (!Files.isRegularFile(companion, LinkOption.NOFOLLOW_LINKS)) {
      lines.add(shown + " ignored: not a regular file");
      return lines;
    }
    Expectations expected;
    try {
      byte[] raw =
          ModelVerifier.readBundle(companion, limits.maxBundleBytes(), LinkOption.NOFOLLOW_LINKS);
      expected = read(raw, key, signedRoot, new StrictJson(limits));
    } catch (VerificationException e) {
      lines.add(shown + " ignored: " + VerificationException.printable(e.getMessage()));
      return lines;
    }
    for (Map.Entry<String, Map<String, String>> f : expected.files().entrySet()) {
      if (changed.contains(f.getKey())) {
        lines.addAll(compareFile(model, f.getKey(), f.getValue(), limits));
      }
    }
    return lines;
  }

  /**
   * The tensors a tensor attestation bundle promises, once its DSSE signature verifies with {@code
   * key} and its statement is for {@code signedRoot}.
   *
   * @throws VerificationException {@value #SIGNATURE_INVALID}, {@value #FOREIGN}, {@value
   *     #MALFORMED} or a bundle rule ({@code oms.bundle-malformed}, ...)
   */
  static Expectations read(byte[] bundle, ECPublicKey key, Digest signedRoot, StrictJson json)
      throws VerificationException {
    Bundle b = Bundle.parse(bundle, json);
    Curve curve = Curve.of(key).orElseThrow();
    if (!Ecdsa.verify(
        key, curve.signatureAlgorithm(), Dsse.pae(b.payloadType(), b.payload()), b.signature())) {
      throw new VerificationException(
          SIGNATURE_INVALID, "its DSSE signature does not verify with the signer's key");
    }
    return parse(b.payload(), signedRoot, json);
  }

  /**
   * Parses a (signature-checked) attestation statement into the tensors it promises. The statement
   * must be an in-toto statement of {@link #PREDICATE_TYPE} whose only subject has {@code
   * signedRoot} as its sha256; every file has a string path and a tensor list, every tensor a
   * string name and a 64-digit lower-case hex ctd1; no path repeats, no name repeats within a file
   * (a repeated entry would make the explanation depend on which one is read).
   *
   * @throws VerificationException {@value #FOREIGN} for another statement type, predicate type or
   *     subject; {@value #MALFORMED} for anything else
   */
  static Expectations parse(byte[] payload, Digest signedRoot, StrictJson json)
      throws VerificationException {
    ObjectNode st = json.parseObject(payload, "the tensor attestation statement", MALFORMED);
    String type = text(st, "_type", "statement", MALFORMED);
    String predicateType = text(st, "predicateType", "statement", MALFORMED);
    if (!type.equals(SignedStatement.STATEMENT_TYPE) || !predicateType.equals(PREDICATE_TYPE)) {
      throw new VerificationException(
          FOREIGN,
          "statement type '"
              + VerificationException.printable(type)
              + "' with predicate type '"
              + VerificationException.printable(predicateType)
              + "', expected '"
              + PREDICATE_TYPE
              + "'");
    }
    onlyKeys(st, Set.of("_type", "subject", "predicateType", "predicate"), "statement", MALFORMED);
    ArrayNode subjects = array(st, "subject", "statement", MALFORMED);
    if (subjects.size() != 1) {
      throw new VerificationException(
          MALFORMED, "the statement has " + subjects.size() + " subjects, expected one");
    }
    ObjectNode digest =
        object(element(subjects, 0, "subject", MALFORMED), "digest", "subject[0]", MALFORMED);
    String root = text(digest, "sha256", "subject[0].digest", MALFORMED);
    if (!root.equals(signedRoot.hex())) {
      throw new VerificationException(
          FOREIGN,
          "its subject sha256 "
              + VerificationException.printable(root)
              + " is not the signed root digest "
              + signedRoot.hex());
    }
    ArrayNode files =
        array(object(st, "predicate", "statement", MALFORMED), "files", "predicate", MALFORMED);
    Map<String, Map<String, String>> byPath = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      String where = "predicate.files[" + i + "]";
      ObjectNode f = element(files, i, "predicate.files", MALFORMED);
      String path = text(f, "path", where, MALFORMED);
      ArrayNode tensors = array(f, "tensors", where, MALFORMED);
      Map<String, String> byName = new LinkedHashMap<>();
      for (int j = 0; j < tensors.size(); j++) {
        String at = where + ".tensors[" + j + "]";
        ObjectNode t = element(tensors, j, where + ".tensors", MALFORMED);
        String name = text(t, "name", at, MALFORMED);
        String ctd1 = text(t, "ctd1", at, MALFORMED);
        if (!isSha256Hex(ctd1)) {
          throw new VerificationException(MALFORMED, at + ".ctd1 is not 64 lower-case hex digits");
        }
        if (byName.putIfAbsent(name, ctd1) != null) {
          throw new VerificationException(
              MALFORMED, at + " repeats tensor '" + VerificationException.printable(name) + "'");
        }
      }
      if (byPath.putIfAbsent(path, byName) != null) {
        throw new VerificationException(
            MALFORMED, where + " repeats file '" + VerificationException.printable(path) + "'");
      }
    }
    return new Expectations(byPath);
  }

  private static boolean isSha256Hex(String s) {
    return s.length() == 64
        && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  private static List<String> compareFile(
      Path model, String path, Map<String, String> attested, ParseLimits limits) {
    List<String> lines = new ArrayList<>();
    String shown = VerificationException.printable(path);
    Path file = Files.isDirectory(model) ? model.resolve(path) : model;
    try {
      Optional<WeightFile> opened = WeightFiles.open(file, limits);
      if (opened.isEmpty()) {
        lines.add(shown + ": no longer a weight file");
        return lines;
      }
      try (WeightFile wf = opened.get()) {
        int intact = 0;
        Map<String, String> remaining = new LinkedHashMap<>(attested);
        for (TensorInfo t : wf.tensors()) {
          String expected = remaining.remove(t.name());
          String name = VerificationException.printable(t.name());
          if (expected == null) {
            lines.add("added tensor: " + name + " in " + shown);
          } else if (expected.equals(TensorDigests.ctd1(wf, t).hex())) {
            intact++;
          } else {
            lines.add("changed tensor: " + name + " in " + shown);
          }
        }
        for (String gone : remaining.keySet()) {
          lines.add("removed tensor: " + VerificationException.printable(gone) + " in " + shown);
        }
        lines.add(shown + ": " + intact + " of " + attested.size() + " signed tensors intact");
      }
    } catch (FormatException e) {
      lines.add(shown + ": cannot be read as a weight file any more: " + e.getMessage());
    } catch (IOException e) {
      lines.add(shown + ": cannot be read: " + e.getMessage());
    }
    return lines;
  }

  /** {@code path:start:end} names a shard of {@code path}. */
  private static String fileOf(String resource) {
    int last = resource.lastIndexOf(':');
    if (last > 0) {
      int prev = resource.lastIndexOf(':', last - 1);
      if (prev > 0
          && resource.substring(prev + 1, last).chars().allMatch(Character::isDigit)
          && resource.substring(last + 1).chars().allMatch(Character::isDigit)) {
        return resource.substring(0, prev);
      }
    }
    return resource;
  }
}
