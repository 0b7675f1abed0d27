package dev.modelseal.scan;

/**
 * Scans one kind of content (pickle, zip archive, JSON config, template, ...). {@link ScanContext}
 * asks each scanner in turn whether it positively identifies the content and hands it to the first
 * that does; adding a format-aware scanner is adding one implementation to that list.
 */
interface ContentScanner {
  /** True when this scanner recognises the content (by magic bytes, or by name where no magic). */
  boolean identifies(Content content);

  /** Scans the content, adding findings to {@code ctx.findings()}. Never throws for bad input. */
  Outcome scan(Content content, ScanContext ctx);
}
