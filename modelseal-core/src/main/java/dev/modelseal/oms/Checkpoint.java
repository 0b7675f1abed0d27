package dev.modelseal.oms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A transparency-log checkpoint in the signed-note format Rekor writes: the signed text ({@code
 * <origin>\n<tree size>\n<base64 root hash>\n} and optional extension lines), a blank line, then
 * one or more signature lines {@code — <name> <base64(4-byte key hint || signature)>}.
 *
 * @param signedText the exact bytes the signatures cover (up to and including the newline before
 *     the blank line)
 */
@SuppressWarnings("ArrayRecordComponent") // read-only values, never compared or hashed
record Checkpoint(
    String origin,
    long treeSize,
    byte[] rootHash,
    byte[] signedText,
    List<NoteSignature> signatures) {

  static final String INVALID = "sigstore.inclusion-proof-invalid";

  /** Far more signatures than any note carries; bounds the verification work. */
  static final int MAX_SIGNATURES = 16;

  /** One signature line: the signer's name, the 4-byte key hint and the signature. */
  @SuppressWarnings("ArrayRecordComponent") // read-only values, never compared or hashed
  record NoteSignature(String name, byte[] keyHint, byte[] signature) {}

  Checkpoint {
    signatures = List.copyOf(signatures);
  }

  /** Parses a checkpoint; a shape that is not a signed note is {@value #INVALID}. */
  static Checkpoint parse(String note) throws VerificationException {
    int split = note.indexOf("\n\n");
    if (split < 0) {
      throw new VerificationException(
          INVALID, "the checkpoint is not a signed note (no blank line)");
    }
    String text = note.substring(0, split + 1);
    String[] lines = text.split("\n", -1);
    // lines ends with "" after the final newline: origin, size, root, [extensions...], ""
    if (lines.length < 4) {
      throw new VerificationException(
          INVALID, "the checkpoint lacks the origin, tree size or root hash line");
    }
    String origin = lines[0];
    if (origin.isEmpty()) {
      throw new VerificationException(INVALID, "the checkpoint's origin line is empty");
    }
    long size;
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new VerificationException(
          INVALID,
          "the checkpoint's tree size '"
              + VerificationException.printable(lines[1])
              + "' is not a number");
    }
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw new VerificationException(INVALID, "the checkpoint's tree size is out of range", e);
    }
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(INVALID, "the checkpoint's root hash is not base64", e);
    }
    List<NoteSignature> sigs = new ArrayList<>();
    String rest = note.substring(split + 2);
    if (!rest.endsWith("\n")) {
      throw new VerificationException(
          INVALID, "the checkpoint's signature block does not end with a newline");
    }
    for (String line : rest.substring(0, rest.length() - 1).split("\n", -1)) {
      if (sigs.size() == MAX_SIGNATURES) {
        throw new VerificationException(
            INVALID, "the checkpoint carries more than " + MAX_SIGNATURES + " signatures");
      }
      sigs.add(signatureLine(line));
    }
    return new Checkpoint(
        origin, size, root, text.getBytes(StandardCharsets.UTF_8), List.copyOf(sigs));
  }

  private static NoteSignature signatureLine(String line) throws VerificationException {
    if (!line.startsWith("\u2014 ")) {
      throw new VerificationException(
          INVALID, "a checkpoint signature line does not start with '\u2014 '");
    }
    int sp = line.lastIndexOf(' ');
    String name = line.substring(2, Math.max(2, sp));
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(line.substring(sp + 1));
    } catch (IllegalArgumentException e) {
      throw new VerificationException(INVALID, "a checkpoint signature is not base64", e);
    }
    if (name.isEmpty() || raw.length <= 4) {
      throw new VerificationException(INVALID, "a checkpoint signature line is malformed");
    }
    byte[] hint = java.util.Arrays.copyOf(raw, 4);
    byte[] sig = java.util.Arrays.copyOfRange(raw, 4, raw.length);
    return new NoteSignature(name, hint, sig);
  }

  /** The signatures whose key hint is the first four bytes of {@code keyId}. */
  List<NoteSignature> signaturesFor(byte[] keyId) {
    List<NoteSignature> out = new ArrayList<>();
    for (NoteSignature s : signatures) {
      if (keyId.length >= 4
          && java.security.MessageDigest.isEqual(s.keyHint(), java.util.Arrays.copyOf(keyId, 4))) {
        out.add(s);
      }
    }
    return out;
  }

  Optional<String> firstSigner() {
    return signatures.isEmpty() ? Optional.empty() : Optional.of(signatures.get(0).name());
  }
}
