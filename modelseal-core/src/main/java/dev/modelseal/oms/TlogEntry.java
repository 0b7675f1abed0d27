package dev.modelseal.oms;

import static dev.modelseal.oms.StrictJson.array;
import static dev.modelseal.oms.StrictJson.base64;
import static dev.modelseal.oms.StrictJson.object;
import static dev.modelseal.oms.StrictJson.optionalObject;
import static dev.modelseal.oms.StrictJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Rekor transparency-log entry of a keyless bundle ({@code
 * verificationMaterial.tlogEntries[i]}, protobuf JSON of {@code TransparencyLogEntry}), parsed but
 * not yet trusted: {@link KeylessCheck} verifies it.
 *
 * @param logIndex the entry's index in the whole log (what the signed entry timestamp covers)
 * @param logId the log's key id (SHA-256 of its public key)
 * @param body the canonicalized entry body Rekor stored and hashed
 * @param signedEntryTimestamp the log's promise to include the entry, if the bundle has one
 * @param proof the inclusion proof, if the bundle has one
 */
@SuppressWarnings("ArrayRecordComponent") // read-only values, never compared or hashed
record TlogEntry(
    long logIndex,
    byte[] logId,
    String kind,
    String version,
    long integratedTime,
    byte[] body,
    Optional<byte[]> signedEntryTimestamp,
    Optional<InclusionProof> proof) {

  static final String MALFORMED = Bundle.MALFORMED;

  /** A Merkle audit path longer than 64 hashes cannot belong to a tree of at most 2^63 leaves. */
  static final int MAX_PROOF_HASHES = 64;

  /** Checkpoints are a few hundred bytes; refuse anything near this before parsing it. */
  static final int MAX_CHECKPOINT_CHARS = 8192;

  /**
   * @param logIndex the entry's index in the tree the proof is for (the shard's index)
   * @param checkpoint the signed note text
   */
  @SuppressWarnings("ArrayRecordComponent") // read-only values, never compared or hashed
  record InclusionProof(
      long logIndex, byte[] rootHash, long treeSize, List<byte[]> hashes, String checkpoint) {
    InclusionProof {
      hashes = List.copyOf(hashes);
    }
  }

  static TlogEntry parse(JsonNode node, int i) throws VerificationException {
    String where = "verificationMaterial.tlogEntries[" + i + "]";
    if (!(node instanceof ObjectNode e)) {
      throw new VerificationException(MALFORMED, where + " is not an object");
    }
    long logIndex = int64(e, "logIndex", where);
    byte[] logId =
        base64(object(e, "logId", where, MALFORMED), "keyId", where + ".logId", MALFORMED);
    ObjectNode kv = object(e, "kindVersion", where, MALFORMED);
    String kind = text(kv, "kind", where + ".kindVersion", MALFORMED);
    String version = text(kv, "version", where + ".kindVersion", MALFORMED);
    long integratedTime = e.has("integratedTime") ? int64(e, "integratedTime", where) : 0;
    byte[] body = base64(e, "canonicalizedBody", where, MALFORMED);
    Optional<byte[]> set = Optional.empty();
    Optional<ObjectNode> promise = optionalObject(e, "inclusionPromise", where, MALFORMED);
    if (promise.isPresent()) {
      set =
          Optional.of(
              base64(
                  promise.get(), "signedEntryTimestamp", where + ".inclusionPromise", MALFORMED));
    }
    Optional<InclusionProof> proof = Optional.empty();
    Optional<ObjectNode> p = optionalObject(e, "inclusionProof", where, MALFORMED);
    if (p.isPresent()) {
      proof = Optional.of(proof(p.get(), where + ".inclusionProof"));
    }
    return new TlogEntry(logIndex, logId, kind, version, integratedTime, body, set, proof);
  }

  private static InclusionProof proof(ObjectNode p, String where) throws VerificationException {
    long index = int64(p, "logIndex", where);
    byte[] root = base64(p, "rootHash", where, MALFORMED);
    long size = int64(p, "treeSize", where);
    List<byte[]> hashes = new ArrayList<>();
    if (p.has("hashes")) {
      ArrayNode a = array(p, "hashes", where, MALFORMED);
      if (a.size() > MAX_PROOF_HASHES) {
        throw new VerificationException(
            MALFORMED, where + ".hashes has more than " + MAX_PROOF_HASHES + " hashes");
      }
      for (int j = 0; j < a.size(); j++) {
        JsonNode h = a.get(j);
        if (!h.isTextual()) {
          throw new VerificationException(MALFORMED, where + ".hashes[" + j + "] is not a string");
        }
        try {
          hashes.add(java.util.Base64.getDecoder().decode(h.textValue()));
        } catch (IllegalArgumentException ex) {
          throw new VerificationException(
              MALFORMED, where + ".hashes[" + j + "] is not standard base64", ex);
        }
      }
    }
    ObjectNode cp = object(p, "checkpoint", where, MALFORMED);
    String envelope = text(cp, "envelope", where + ".checkpoint", MALFORMED);
    if (envelope.length() > MAX_CHECKPOINT_CHARS) {
      throw new VerificationException(
          MALFORMED, where + ".checkpoint is longer than " + MAX_CHECKPOINT_CHARS + " characters");
    }
    return new InclusionProof(index, root, size, hashes, envelope);
  }

  /** A protobuf int64: JSON string of decimal digits (or a plain integer), not negative. */
  private static long int64(ObjectNode o, String key, String where) throws VerificationException {
    JsonNode n = o.get(key);
    if (n == null) {
      throw new VerificationException(MALFORMED, where + " lacks '" + key + "'");
    }
    if (n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0) {
      return n.longValue();
    }
    if (n.isTextual() && n.textValue().matches("0|[1-9][0-9]{0,18}")) {
      try {
        return Long.parseLong(n.textValue());
      } catch (NumberFormatException e) {
        throw new VerificationException(MALFORMED, where + "." + key + " is out of range", e);
      }
    }
    throw new VerificationException(
        MALFORMED, where + "." + key + " is not a non-negative 64-bit integer");
  }
}
