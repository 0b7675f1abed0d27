package dev.modelseal.oms;

import static dev.modelseal.oms.StrictJson.array;
import static dev.modelseal.oms.StrictJson.bool;
import static dev.modelseal.oms.StrictJson.element;
import static dev.modelseal.oms.StrictJson.object;
import static dev.modelseal.oms.StrictJson.onlyKeys;
import static dev.modelseal.oms.StrictJson.optionalObject;
import static dev.modelseal.oms.StrictJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelseal.digest.Digest;
import dev.modelseal.digest.HashAlgorithm;
import dev.modelseal.manifest.Manifest;
import dev.modelseal.manifest.ResourceDigest;
import dev.modelseal.manifest.SerializationMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The in-toto statement inside a verified DSSE envelope, checked against the OMS statement and
 * predicate schemas and turned into a {@link Manifest}. Also reads the deprecated v0.2 layout (one
 * subject per file).
 *
 * @param subjectName informational model name
 * @param manifest the signed resources in payload order, with the signed serialization policy
 * @param legacy true for the v0.2 {@code Digests/v0.1} predicate
 */
record SignedStatement(String subjectName, Manifest manifest, boolean legacy) {
  static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";
  static final String LEGACY_PREDICATE_TYPE = "https://model_signing/Digests/v0.1";

  static final String MALFORMED = "oms.statement-malformed";

  static SignedStatement parse(byte[] payload, StrictJson strict) throws VerificationException {
    ObjectNode st = strict.parseObject(payload, "the signed statement", MALFORMED);
    JsonNode type = st.get("_type");
    if (type == null || !type.isTextual() || !type.textValue().equals(STATEMENT_TYPE)) {
      throw new VerificationException(
          "oms.statement-type",
          "statement _type is " + describe(type) + ", expected '" + STATEMENT_TYPE + "'");
    }
    JsonNode ptype = st.get("predicateType");
    boolean legacy;
    if (ptype != null && ptype.isTextual() && ptype.textValue().equals(PREDICATE_TYPE)) {
      legacy = false;
    } else if (ptype != null
        && ptype.isTextual()
        && ptype.textValue().equals(LEGACY_PREDICATE_TYPE)) {
      legacy = true;
    } else {
      throw new VerificationException(
          "oms.predicate-type",
          "predicateType is " + describe(ptype) + ", expected '" + PREDICATE_TYPE + "'");
    }
    onlyKeys(st, Set.of("_type", "subject", "predicateType", "predicate"), "statement", MALFORMED);
    ArrayNode subjects = array(st, "subject", "statement", MALFORMED);
    ObjectNode predicate = object(st, "predicate", "statement", MALFORMED);
    return legacy ? parseLegacy(subjects) : parseCurrent(subjects, predicate);
  }

  private static SignedStatement parseCurrent(ArrayNode subjects, ObjectNode predicate)
      throws VerificationException {
    if (subjects.size() != 1) {
      throw new VerificationException(
          "oms.subject-count",
          "the statement has " + subjects.size() + " subjects; OMS requires exactly one");
    }
    ObjectNode subject = element(subjects, 0, "subject", MALFORMED);
    String name = subjectName(subject);
    Digest root = sha256(object(subject, "digest", "subject[0]", MALFORMED), "subject[0].digest");

    onlyKeys(predicate, Set.of("resources", "serialization"), "predicate", MALFORMED);
    ObjectNode ser = object(predicate, "serialization", "predicate", MALFORMED);
    String where = "predicate.serialization";
    onlyKeys(
        ser,
        Set.of("method", "hash_type", "allow_symlinks", "ignore_paths", "shard_size"),
        where,
        MALFORMED);
    String methodName = text(ser, "method", where, MALFORMED);
    SerializationMethod method =
        SerializationMethod.byId(methodName)
            .orElseThrow(
                () ->
                    new VerificationException(
                        "oms.serialization-unsupported",
                        "serialization method '"
                            + VerificationException.printable(methodName)
                            + "' is not files or shards"));
    String hashType = text(ser, "hash_type", where, MALFORMED);
    if (!hashType.equals(HashAlgorithm.SHA256.id())) {
      throw new VerificationException(
          "oms.hash-unsupported",
          "hash_type '"
              + VerificationException.printable(hashType)
              + "' is not supported (only sha256 is)");
    }
    boolean allowSymlinks = bool(ser, "allow_symlinks", where, MALFORMED);
    OptionalLong shardSize = OptionalLong.empty();
    if (method == SerializationMethod.SHARDS) {
      shardSize = OptionalLong.of(shardSize(ser.get("shard_size")));
    } else if (ser.has("shard_size")) {
      throw new VerificationException(MALFORMED, where + ".shard_size is only allowed for shards");
    }
    List<String> ignorePaths = new ArrayList<>();
    if (ser.has("ignore_paths")) {
      ArrayNode ips = array(ser, "ignore_paths", where, MALFORMED);
      for (int i = 0; i < ips.size(); i++) {
        JsonNode ip = ips.get(i);
        if (!ip.isTextual()) {
          throw new VerificationException(
              MALFORMED, where + ".ignore_paths[" + i + "] is not a string");
        }
        ignorePaths.add(
            IgnorePaths.canonical(ip.textValue())
                .orElseThrow(
                    () ->
                        new VerificationException(
                            "oms.ignore-path-invalid",
                            "signed ignore path '"
                                + VerificationException.printable(ip.textValue())
                                + "' is not relative to the model root (or has globs or '..')")));
      }
    }

    ArrayNode res = array(predicate, "resources", "predicate", MALFORMED);
    if (res.isEmpty()) {
      throw new VerificationException(
          "oms.resources-empty", "the signed manifest lists no resources");
    }
    List<ResourceDigest> resources = new ArrayList<>(res.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < res.size(); i++) {
      String w = "predicate.resources[" + i + "]";
      ObjectNode r = element(res, i, "predicate.resources", MALFORMED);
      String rname = text(r, "name", w, MALFORMED);
      String algorithm = text(r, "algorithm", w, MALFORMED);
      String digestHex = text(r, "digest", w, MALFORMED);
      if (method == SerializationMethod.FILES) {
        ResourceNames.checkFileName(rname);
        if (!algorithm.equals(hashType)) {
          throw badAlgorithm(rname, algorithm, hashType);
        }
      } else {
        long size = shardSize.getAsLong();
        ResourceNames.parseShard(rname, size);
        // The spec says the plain hash name; model-transparency writes sha256-sharded-<size>.
        if (!algorithm.equals(hashType) && !algorithm.equals(hashType + "-sharded-" + size)) {
          throw badAlgorithm(rname, algorithm, hashType + "' or '" + hashType + "-sharded-" + size);
        }
      }
      if (!seen.add(rname)) {
        throw new VerificationException(
            "oms.resource-duplicate",
            "resource '" + VerificationException.printable(rname) + "' is listed more than once");
      }
      resources.add(new ResourceDigest(rname, digest(digestHex, w)));
    }
    Digest computed = Manifest.rootDigestOf(resources);
    if (!computed.equals(root)) {
      throw new VerificationException(
          "oms.root-digest-mismatch",
          "subject digest " + root + " does not match the resources, which hash to " + computed);
    }
    return new SignedStatement(
        name,
        new Manifest(
            method, shardSize, HashAlgorithm.SHA256, resources, ignorePaths, allowSymlinks),
        false);
  }

  /**
   * model-transparency 0.2: one subject per file, {@code annotations.actual_hash_algorithm} {@code
   * file-sha256} (or absent), no serialization policy (files, SHA-256, no symlinks).
   */
  private static SignedStatement parseLegacy(ArrayNode subjects) throws VerificationException {
    if (subjects.isEmpty()) {
      throw new VerificationException("oms.resources-empty", "the signed statement lists no files");
    }
    List<ResourceDigest> resources = new ArrayList<>(subjects.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < subjects.size(); i++) {
      String w = "subject[" + i + "]";
      ObjectNode s = element(subjects, i, "subject", MALFORMED);
      String name = subjectName(s);
      ResourceNames.checkFileName(name);
      Optional<ObjectNode> ann = optionalObject(s, "annotations", w, MALFORMED);
      if (ann.isPresent() && ann.get().has("actual_hash_algorithm")) {
        String alg = text(ann.get(), "actual_hash_algorithm", w + ".annotations", MALFORMED);
        if (!alg.equals("file-sha256")) {
          throw new VerificationException(
              "oms.serialization-unsupported",
              "legacy subject '"
                  + VerificationException.printable(name)
                  + "' was hashed with '"
                  + VerificationException.printable(alg)
                  + "'; only file-sha256 is supported");
        }
      }
      if (!seen.add(name)) {
        throw new VerificationException(
            "oms.resource-duplicate",
            "file '" + VerificationException.printable(name) + "' is listed more than once");
      }
      resources.add(
          new ResourceDigest(name, sha256(object(s, "digest", w, MALFORMED), w + ".digest")));
    }
    return new SignedStatement(
        "",
        new Manifest(
            SerializationMethod.FILES,
            OptionalLong.empty(),
            HashAlgorithm.SHA256,
            resources,
            List.of(),
            false),
        true);
  }

  private static String subjectName(ObjectNode subject) throws VerificationException {
    String name = text(subject, "name", "subject", MALFORMED);
    if (name.isEmpty()) {
      throw new VerificationException(MALFORMED, "subject name is empty");
    }
    return name;
  }

  private static Digest sha256(ObjectNode digestSet, String where) throws VerificationException {
    return digest(text(digestSet, "sha256", where, MALFORMED), where + ".sha256");
  }

  private static Digest digest(String hex, String where) throws VerificationException {
    try {
      return Digest.fromHex(HashAlgorithm.SHA256, hex);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(
          "oms.digest-invalid", where + " is not 64 lower-case hex digits", e);
    }
  }

  private static VerificationException badAlgorithm(String name, String got, String expected) {
    return new VerificationException(
        "oms.resource-algorithm",
        "resource '"
            + VerificationException.printable(name)
            + "' has algorithm '"
            + VerificationException.printable(got)
            + "', expected '"
            + expected
            + "'");
  }

  /** A positive integer; the Python tool writes it as a float such as {@code 8.0}. */
  private static long shardSize(JsonNode n) throws VerificationException {
    if (n == null) {
      throw new VerificationException(MALFORMED, "shards serialization lacks shard_size");
    }
    if (n.isNumber()) {
      BigDecimal v = n.decimalValue();
      try {
        long size = v.stripTrailingZeros().longValueExact();
        if (size > 0) {
          return size;
        }
      } catch (ArithmeticException e) {
        // fall through: fractional or out of range
      }
    }
    throw new VerificationException(
        MALFORMED, "shard_size must be a positive integer, got " + describe(n));
  }

  private static String describe(JsonNode n) {
    if (n == null) {
      return "missing";
    }
    String s = n.toString();
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
