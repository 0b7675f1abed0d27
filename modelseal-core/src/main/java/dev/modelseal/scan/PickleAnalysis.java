package dev.modelseal.scan;

import java.util.List;

/**
 * What {@link PickleEmulator} saw in a byte stream.
 *
 * @param imports every import, in order of appearance (nested pickles included)
 * @param calls every call site, in order
 * @param findings every finding (file left empty: the caller attributes them)
 * @param streams how many complete pickles were read
 * @param complete false when some part could not be parsed (the content is then not clean)
 * @param legacyTorch true when the stream is PyTorch's legacy format (magic-number pickle first)
 */
public record PickleAnalysis(
    List<PickleImport> imports,
    List<PickleCall> calls,
    List<Finding> findings,
    int streams,
    boolean complete,
    boolean legacyTorch) {
  public PickleAnalysis {
    imports = List.copyOf(imports);
    calls = List.copyOf(calls);
    findings = List.copyOf(findings);
  }
}
