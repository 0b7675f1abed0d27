package dev.modelseal.scan;

import dev.modelseal.format.FormatException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Zip archives: PyTorch checkpoints ({@code <prefix>/data.pkl} plus storages under {@code
 * <prefix>/data/}), TorchScript archives ({@code code/} members are code), Keras v3 {@code .keras}
 * files, npz and any other zip. Read with {@link ZipArchive}, which reads what the most permissive
 * loader reads and reports the inconsistencies; every member is then dispatched by content like a
 * file. Pickles are found by content and by {@code .pkl} names; tensor storages are not read.
 */
final class ZipContainerScanner implements ContentScanner {
  /** Deflated members are inflated into memory up to this size; larger ones fail the scan. */
  static final long MAX_INFLATED_MEMBER = 1L << 30;

  /** Inflation per archive stops here: the deflate ratio (~1000:1) must not set the work. */
  static final long MAX_INFLATED_TOTAL = 8L << 30;

  /** Told about each member that was read and scanned (see {@link NpzScanner}). */
  @FunctionalInterface
  interface MemberObserver {
    void scanned(ZipArchive.Member m, Content member, Outcome outcome);
  }

  @Override
  public boolean identifies(Content c) {
    return ZipArchive.looksLikeZip(c.data());
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    Outcome archive = scanArchive(c, ctx, (m, member, o) -> {});
    if (ZipArchive.startsWithLocalHeader(c.data())) {
      return archive;
    }
    // Not starting with a zip header: torch.load, pickle.load and the format readers take the
    // file for what its first bytes say, not for the zip at its end. Scan it as that too.
    Outcome front = ctx.dispatchExcept(c, ZipContainerScanner.class);
    FileStatus worst =
        archive.status() == FileStatus.FAILED || front.status() == FileStatus.FAILED
            ? FileStatus.FAILED
            : archive.status() == FileStatus.SCANNED || front.status() == FileStatus.SCANNED
                ? FileStatus.SCANNED
                : FileStatus.SKIPPED;
    String reason =
        worst == FileStatus.SCANNED
            ? ""
            : String.join(
                "; ",
                java.util.stream.Stream.of(front.reason(), archive.reason())
                    .filter(r -> !r.isEmpty())
                    .toList());
    return new Outcome(front.kind() + "+" + archive.kind(), worst, reason);
  }

  /**
   * Reads the archive leniently (reporting every inconsistency) and dispatches each member by
   * content, telling {@code observer} about each.
   */
  static Outcome scanArchive(Content c, ScanContext ctx, MemberObserver observer) {
    Findings out = ctx.findings();
    if (c.depth() >= ScanContext.MAX_ARCHIVE_DEPTH) {
      out.add(
          "zip.nested-too-deep",
          Severity.LOW,
          c.where(),
          "",
          "archive nested more than " + ScanContext.MAX_ARCHIVE_DEPTH + " deep: not scanned");
      return Outcome.skipped("zip", "archive nested too deep");
    }
    ZipArchive zip;
    Outcome unreadable = null;
    List<ZipArchive.Member> members;
    try {
      zip = ZipArchive.read(c.data(), ctx.limits(), out, c.where());
      members = new ArrayList<>(zip.members());
      // What Python's zipfile or another end record makes a loader extract is scanned too.
      members.addAll(ZipReaderDifferential.othersOnly(c.data(), zip, ctx.limits(), out, c.where()));
    } catch (FormatException e) {
      out.add(e.rule(), Severity.HIGH, c.where(), "", "zip could not be read: " + detail(e));
      unreadable = Outcome.failed("zip", e.rule() + ": " + detail(e));
      members = ZipReaderDifferential.othersOnly(c.data(), null, ctx.limits(), out, c.where());
      if (members.isEmpty()) {
        return unreadable;
      }
      zip = ZipArchive.of(c.data(), members);
    }
    boolean torch = members.stream().anyMatch(m -> base(m.name()).equals("data.pkl"));
    boolean torchScript =
        torch && members.stream().anyMatch(m -> segment(m.name(), 1).equals("code"));
    boolean keras =
        members.stream().anyMatch(m -> m.name().equals("config.json"))
            && members.stream()
                .anyMatch(
                    m -> m.name().equals("metadata.json") || m.name().equals("model.weights.h5"));
    boolean npz = !members.isEmpty() && members.stream().allMatch(m -> m.name().endsWith(".npy"));
    String kind =
        torchScript ? "torchscript" : torch ? "pytorch-zip" : keras ? "keras" : npz ? "npz" : "zip";
    String container = keras ? "keras" : torch ? "pytorch" : "";

    List<String> code = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    java.util.Set<Long> seenData = new java.util.HashSet<>();
    long inflated = 0;
    for (ZipArchive.Member m : members) {
      if (m.isDirectory()) {
        continue;
      }
      String loc = Findings.at(c.where(), m.name());
      if (torch && segment(m.name(), 1).equals("data") && m.name().indexOf('/') > 0) {
        continue; // tensor storage: raw numbers, never unpickled
      }
      boolean codeMember = torch && segment(m.name(), 1).equals("code");
      if (codeMember && !m.name().endsWith(".debug_pkl")) {
        code.add(m.name());
        continue;
      }
      if (m.dataOffset() >= 0 && !seenData.add(m.dataOffset())) {
        continue; // same bytes as a member already scanned (reported as overlapping)
      }
      if (m.method() == 8) {
        inflated += Math.max(0, m.size());
        if (inflated > MAX_INFLATED_TOTAL) {
          out.add(
              "limit.zip-inflated-total",
              Severity.HIGH,
              loc,
              "",
              "archive inflates to more than " + MAX_INFLATED_TOTAL + " bytes: member not scanned");
          failures.add(m.name() + ": limit.zip-inflated-total");
          continue;
        }
      }
      MemorySegment data;
      try {
        data =
            zip.content(
                m, Math.min(MAX_INFLATED_MEMBER, ctx.limits().maxZipTotalUncompressed()), out, loc);
      } catch (FormatException e) {
        out.add(e.rule(), Severity.HIGH, loc, "", "member could not be read: " + detail(e));
        failures.add(m.name() + ": " + e.rule());
        continue;
      }
      Content member = new Content(m.name(), data, loc, c.depth() + 1, container);
      Outcome o;
      if ((torch && m.name().endsWith(".pkl")) || m.name().endsWith(".debug_pkl")) {
        o = PickleFileScanner.scanPickle(member, ctx);
      } else {
        o = ctx.dispatch(member);
      }
      observer.scanned(m, member, o);
      if (o.status() == FileStatus.FAILED) {
        failures.add(m.name() + ": " + o.reason());
      }
    }
    if (!code.isEmpty()) {
      out.add(
          "torchscript.code",
          Severity.HIGH,
          c.where(),
          code.size()
              + " code members: "
              + String.join(", ", code.subList(0, Math.min(5, code.size()))),
          "TorchScript archive: its code/ members are programs that torch.jit.load runs");
    }
    if (unreadable != null) {
      return unreadable;
    }
    if (!failures.isEmpty()) {
      return Outcome.failed(
          kind, failures.size() + " member(s) could not be scanned, first: " + failures.getFirst());
    }
    return Outcome.scanned(kind);
  }

  private static String base(String name) {
    int slash = name.lastIndexOf('/');
    return slash >= 0 ? name.substring(slash + 1) : name;
  }

  /** The {@code i}-th {@code /}-separated segment, or empty. */
  private static String segment(String name, int i) {
    String[] parts = name.split("/", -1);
    return i < parts.length ? parts[i] : "";
  }

  private static String detail(FormatException e) {
    return JsonFileScanner.detail(e);
  }
}
