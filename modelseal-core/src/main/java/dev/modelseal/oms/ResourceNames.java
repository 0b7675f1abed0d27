package dev.modelseal.oms;

/**
 * Canonical resource names (OMS 6.1.2): {@code /}-separated, relative, no leading {@code /}, no
 * empty, {@code .} or {@code ..} segment, no backslash or NUL. The single name {@code .} is the
 * model-transparency spelling of a single-file model and is resolved by the verifier.
 */
final class ResourceNames {
  static final String INVALID = "oms.resource-name-invalid";

  private ResourceNames() {}

  /** A file path part of a {@code shards} resource name, and its byte range. */
  record Shard(String path, long start, long end) {}

  static void checkFileName(String name) throws VerificationException {
    if (name.equals(".")) {
      return;
    }
    if (name.isEmpty()
        || name.startsWith("/")
        || name.indexOf('\\') >= 0
        || name.indexOf('\0') >= 0) {
      throw invalid(name, "not a canonical relative path");
    }
    for (String seg : name.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        throw invalid(name, "not a canonical relative path (empty, '.' or '..' segment)");
      }
    }
  }

  /**
   * Parses {@code path:start:end}, taking the last two colons (paths may contain colons), and
   * checks the range is one piece of a {@code shardSize} partition.
   */
  static Shard parseShard(String name, long shardSize) throws VerificationException {
    int c2 = name.lastIndexOf(':');
    int c1 = c2 <= 0 ? -1 : name.lastIndexOf(':', c2 - 1);
    if (c1 <= 0) {
      throw invalid(name, "not path:start:end");
    }
    String path = name.substring(0, c1);
    checkFileName(path);
    long start = decimal(name, name.substring(c1 + 1, c2));
    long end = decimal(name, name.substring(c2 + 1));
    if (start >= end || start % shardSize != 0 || end - start > shardSize) {
      throw invalid(name, "not a shard of size " + shardSize);
    }
    return new Shard(path, start, end);
  }

  /** Plain decimal: digits only, no sign, no leading zeros. */
  private static long decimal(String name, String s) throws VerificationException {
    if (s.isEmpty() || s.length() > 19 || (s.length() > 1 && s.charAt(0) == '0')) {
      throw invalid(name, "byte offsets must be plain decimal numbers");
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        throw invalid(name, "byte offsets must be plain decimal numbers");
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw invalid(name, "byte offset out of range");
    }
  }

  private static VerificationException invalid(String name, String why) {
    return new VerificationException(
        INVALID, "resource name '" + VerificationException.printable(name) + "': " + why);
  }
}
