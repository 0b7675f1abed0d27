package dev.modelseal.scan;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tar archives, read header by header with every length bounded by the file: PyTorch's legacy
 * format ({@code torch.save} before 1.6 with {@code _use_new_zipfile_serialization=False} of the
 * oldest kind: members {@code sys_info}, {@code pickle}, {@code storages}, {@code tensors}, read by
 * {@code torch.load} through {@code tarfile}) and any other tar. {@code pickle} and {@code
 * sys_info} are emulated as pickles; every other member is dispatched by content like a file (its
 * pickles are found by content).
 */
final class TarScanner implements ContentScanner {
  private static final int BLOCK = 512;
  private static final Set<String> TORCH_PICKLES = Set.of("pickle", "sys_info");

  @Override
  public boolean identifies(Content c) {
    return c.size() >= BLOCK && checksumValid(c.data(), 0) && c.byteAt(0) != 0;
  }

  /** The header checksum as tarfile accepts it: unsigned or signed byte sum, fields as spaces. */
  private static boolean checksumValid(MemorySegment d, long at) {
    long stored = octal(d, at + 148, 8);
    if (stored < 0) {
      return false;
    }
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      int b = i >= 148 && i < 156 ? ' ' : d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + i);
      unsigned += b & 0xff;
      signed += (byte) b;
    }
    return stored == unsigned || stored == signed;
  }

  /** An octal field (NUL/space padded) or base-256 (high bit set); -1 when malformed. */
  private static long octal(MemorySegment d, long at, int len) {
    int first = d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at) & 0xff;
    if ((first & 0x80) != 0) {
      long v = first & 0x7f;
      for (int i = 1; i < len; i++) {
        if (v > (Long.MAX_VALUE >> 8)) {
          return -1;
        }
        v = (v << 8) | (d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + i) & 0xff);
      }
      return v;
    }
    long v = 0;
    boolean digits = false;
    for (int i = 0; i < len; i++) {
      int b = d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + i) & 0xff;
      if (b >= '0' && b <= '7') {
        digits = true;
        v = v * 8 + (b - '0');
      } else if (b == 0 || b == ' ') {
        if (digits) {
          break;
        }
      } else {
        return -1;
      }
    }
    return v;
  }

  private static String string(MemorySegment d, long at, int len) {
    byte[] b = d.asSlice(at, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  private record Entry(String name, long offset, long size) {}

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    Findings out = ctx.findings();
    if (c.depth() >= ScanContext.MAX_ARCHIVE_DEPTH) {
      out.add(
          "zip.nested-too-deep",
          Severity.LOW,
          c.where(),
          "",
          "archive nested more than " + ScanContext.MAX_ARCHIVE_DEPTH + " deep: not scanned");
      return Outcome.skipped("tar", "archive nested too deep");
    }
    MemorySegment d = c.data();
    long size = d.byteSize();
    List<Entry> entries = new ArrayList<>();
    String longName = null;
    long p = 0;
    boolean broken = false;
    while (p <= size - BLOCK) {
      if (isZeroBlock(d, p)) {
        break;
      }
      if (!checksumValid(d, p)) {
        broken = true;
        break;
      }
      long len = octal(d, p + 124, 12);
      long dataAt = p + BLOCK;
      if (len < 0 || len > size - dataAt) {
        out.add(
            "tar.member-out-of-bounds",
            Severity.HIGH,
            Findings.at(c.where(), "offset " + p),
            "",
            "tar member runs past the end of the file: the rest was not read");
        return Outcome.failed("tar", "tar.member-out-of-bounds");
      }
      if (entries.size() >= ctx.limits().maxTensors()) {
        out.add(
            "limit.max-tensors",
            Severity.HIGH,
            c.where(),
            "",
            "tar has more than " + ctx.limits().maxTensors() + " members: the rest was not read");
        return Outcome.failed("tar", "limit.max-tensors");
      }
      int type = d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, p + 156) & 0xff;
      String name = string(d, p, 100);
      if (string(d, p + 257, 6).equals("ustar")) {
        String prefix = string(d, p + 345, 155);
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
      }
      if (longName != null) {
        name = longName;
        longName = null;
      }
      switch (type) {
        case 'L' -> longName = string(d, dataAt, (int) Math.min(len, 1 << 16));
        case 'x' -> longName = paxPath(d, dataAt, len);
        case '0', 0, '7' -> entries.add(new Entry(name, dataAt, len));
        default -> {} // directories, links, devices, global headers: no content
      }
      long blocks = (len + BLOCK - 1) / BLOCK;
      p = dataAt + blocks * BLOCK;
    }
    if (broken && entries.isEmpty()) {
      return UnidentifiedContentScanner.notPickle(c, ctx);
    }
    boolean torch = entries.stream().anyMatch(e -> e.name().equals("pickle"));
    List<String> failures = new ArrayList<>();
    for (Entry e : entries) {
      String loc = Findings.at(c.where(), e.name());
      Content member =
          new Content(
              e.name(), d.asSlice(e.offset(), e.size()), loc, c.depth() + 1, torch ? "torch" : "");
      Outcome o =
          torch && TORCH_PICKLES.contains(e.name())
              ? PickleFileScanner.scanPickle(member, ctx)
              : ctx.dispatch(member);
      if (o.status() == FileStatus.FAILED) {
        failures.add(e.name() + ": " + o.reason());
      }
    }
    String kind = torch ? "pytorch-legacy-tar" : "tar";
    if (!failures.isEmpty()) {
      return Outcome.failed(
          kind, failures.size() + " member(s) could not be scanned, first: " + failures.getFirst());
    }
    return Outcome.scanned(kind);
  }

  /** The {@code path} record of a pax header, or null. */
  private static String paxPath(MemorySegment d, long at, long len) {
    String text = string(d, at, (int) Math.min(len, 1 << 16));
    for (String line : text.split("\n", -1)) {
      int space = line.indexOf(' ');
      if (space > 0 && line.startsWith("path=", space + 1)) {
        return line.substring(space + 6);
      }
    }
    return null;
  }

  private static boolean isZeroBlock(MemorySegment d, long p) {
    for (int i = 0; i < BLOCK; i += 8) {
      if (d.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, p + i) != 0) {
        return false;
      }
    }
    return true;
  }
}
