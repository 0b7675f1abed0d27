package dev.modelseal.scan;

import dev.modelseal.format.ParseLimits;
import java.util.List;

/** What a {@link ContentScanner} needs: limits, policy, the file's findings, and the dispatch. */
final class ScanContext {
  /** Archives inside archives are followed this deep. */
  static final int MAX_ARCHIVE_DEPTH = 4;

  private final ParseLimits limits;
  private final PicklePolicy policy;
  private final Findings findings;
  private final List<ContentScanner> scanners;
  private final boolean tensorStats;

  ScanContext(
      ParseLimits limits,
      PicklePolicy policy,
      Findings findings,
      List<ContentScanner> scanners,
      boolean tensorStats) {
    this.limits = limits;
    this.policy = policy;
    this.findings = findings;
    this.scanners = scanners;
    this.tensorStats = tensorStats;
  }

  ParseLimits limits() {
    return limits;
  }

  PicklePolicy policy() {
    return policy;
  }

  Findings findings() {
    return findings;
  }

  /** Whether weight files' tensor values are read and counted (see {@link TensorValueCheck}). */
  boolean tensorStats() {
    return tensorStats;
  }

  /** Hands the content to the first scanner that identifies it. */
  Outcome dispatch(Content content) {
    for (ContentScanner s : scanners) {
      if (s.identifies(content)) {
        return s.scan(content, this);
      }
    }
    // The last scanner identifies everything; this is never reached.
    throw new IllegalStateException("no scanner for " + content.name());
  }

  /**
   * Hands the content to the first scanner that identifies it, other than one of {@code type}: for
   * polyglots, which must be scanned as each thing a loader could take them for.
   */
  Outcome dispatchExcept(Content content, Class<? extends ContentScanner> type) {
    for (ContentScanner s : scanners) {
      if (!type.isInstance(s) && s.identifies(content)) {
        return s.scan(content, this);
      }
    }
    throw new IllegalStateException("no scanner for " + content.name());
  }

  /** The scanners in dispatch order; the fallback comes last. */
  static List<ContentScanner> defaultScanners() {
    return List.of(
        new NpzScanner(),
        new ZipContainerScanner(),
        new NpyScanner(),
        new SafetensorsScanner(),
        new GgufScanner(),
        new Hdf5Scanner(),
        new CompressedStreamScanner(),
        new TarScanner(),
        new DisguisedPickleScanner(),
        new CodeFileScanner(),
        new JsonFileScanner(),
        new TemplateFileScanner(),
        new PickleFileScanner(),
        new UnidentifiedContentScanner());
  }
}
