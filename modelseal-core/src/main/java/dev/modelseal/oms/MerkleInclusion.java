package dev.modelseal.oms;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * RFC 9162 (section 2.1.3.2) Merkle inclusion proofs over SHA-256, as Rekor uses them: a leaf is
 * hashed as {@code SHA-256(0x00 || data)}, an inner node as {@code SHA-256(0x01 || left || right)}.
 */
final class MerkleInclusion {
  private MerkleInclusion() {}

  static byte[] leafHash(byte[] data) {
    MessageDigest d = sha256();
    d.update((byte) 0);
    d.update(data);
    return d.digest();
  }

  static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest d = sha256();
    d.update((byte) 1);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /**
   * The root the audit path leads to from {@code leaf} at {@code index} in a tree of {@code size}
   * leaves, or null when the path cannot belong to such a tree (wrong length, index out of range, a
   * hash not 32 bytes long).
   */
  static byte[] rootFromProof(long index, long size, byte[] leaf, List<byte[]> path) {
    if (index < 0 || size <= 0 || index >= size) {
      return null;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leaf;
    for (byte[] p : path) {
      if (p.length != 32 || sn == 0) {
        return null;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : null;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
