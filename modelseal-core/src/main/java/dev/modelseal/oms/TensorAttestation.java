package dev.modelseal.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TensorAttestation() {}

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
   * line saying why no tensor-level explanation is available. Never throws: it only explains a
   * failure that has already happened.
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
    if (changed.isEmpty()) {
      return lines;
    }
    if (!Files.isRegularFile(companion, LinkOption.NOFOLLOW_LINKS)) {
      return lines;
    }
    JsonNode predicate;
    try {
      byte[] raw = Files.readAllBytes(companion);
      Bundle b = Bundle.parse(raw, new StrictJson(limits));
      Curve curve = Curve.of(key).orElseThrow();
      if (!Ecdsa.verify(
          key, curve.signatureAlgorithm(), Dsse.pae(b.payloadType(), b.payload()), b.signature())) {
        lines.add("tensor attestation " + companion.getFileName() + ": signature invalid, ignored");
        return lines;
      }
      JsonNode st =
          dev.modelseal.format.StrictJson.parse(
              b.payload(), limits, companion, "tensors.statement");
      if (!PREDICATE_TYPE.equals(st.path("predicateType").asText())
          || !signedRoot
              .hex()
              .equals(st.path("subject").path(0).path("digest").path("sha256").asText())) {
        lines.add(
            "tensor attestation "
                + companion.getFileName()
                + ": not for this signature (subject or type differs), ignored");
        return lines;
      }
      predicate = st.path("predicate");
    } catch (IOException | dev.modelseal.ModelSealException | RuntimeException e) {
      lines.add("tensor attestation " + companion.getFileName() + ": unreadable, ignored");
      return lines;
    }
    for (JsonNode f : predicate.path("files")) {
      String path = f.path("path").asText();
      if (!changed.contains(path)) {
        continue;
      }
      Map<String, String> attested = new LinkedHashMap<>();
      for (JsonNode t : f.path("tensors")) {
        attested.put(t.path("name").asText(), t.path("ctd1").asText());
      }
      lines.addAll(compareFile(model, path, attested, limits));
    }
    return lines;
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
