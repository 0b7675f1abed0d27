package dev.modelseal.scan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How a {@link ScanReport} is written: plain text, JSON, or SARIF 2.1.0 for code-scanning UIs. */
public enum ReportFormat {
  TEXT,
  JSON,
  SARIF;

  /** Parses {@code text|json|sarif}. */
  public static ReportFormat parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      case "sarif" -> SARIF;
      default -> throw new IllegalArgumentException("unknown format '" + s + "'");
    };
  }

  /** Writes {@code report} to {@code out} (not closed). */
  public void write(ScanReport report, Writer out) throws IOException {
    switch (this) {
      case TEXT -> text(report, out);
      case JSON -> json(report, out);
      case SARIF -> sarif(report, out);
    }
  }

  private static void text(ScanReport r, Writer out) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (FileReport f : r.files()) {
      // Paths come from the scanned folder: escape control characters before they reach a terminal.
      sb.append(Text.oneLine(f.path()))
          .append("  [")
          .append(f.kind())
          .append(", ")
          .append(f.status().id());
      if (!f.reason().isEmpty()) {
        sb.append(": ").append(f.reason());
      }
      sb.append("]\n");
      for (Finding x : f.findings()) {
        sb.append("  ")
            .append(String.format(Locale.ROOT, "%-8s", x.severity().id().toUpperCase(Locale.ROOT)))
            .append(' ')
            .append(x.rule());
        if (x.line() > 0) {
          sb.append(" at line ").append(x.line()).append(", column ").append(x.column());
        }
        if (!x.location().isEmpty()) {
          sb.append(" at ").append(x.location());
        }
        if (!x.subject().isEmpty()) {
          sb.append(": ").append(x.subject());
        }
        sb.append(" -- ").append(x.message()).append('\n');
        if (!x.fix().isEmpty()) {
          sb.append("           fix: ").append(x.fix()).append('\n');
        }
      }
    }
    sb.append(summary(r)).append('\n');
    out.write(sb.toString());
  }

  /** A path or name from a scanned folder, safe to print on a terminal (one line, escaped). */
  public static String printable(String s) {
    return Text.oneLine(s);
  }

  /** One line: files scanned / skipped / failed and findings by severity. */
  public static String summary(ScanReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.files().size())
        .append(" file(s): ")
        .append(r.count(FileStatus.SCANNED))
        .append(" scanned, ")
        .append(r.count(FileStatus.SKIPPED))
        .append(" skipped, ")
        .append(r.count(FileStatus.FAILED))
        .append(" failed; findings:");
    for (Severity s : Severity.values()) {
      sb.append(' ').append(r.countFindings(s)).append(' ').append(s.id());
      if (s != Severity.INFO) {
        sb.append(',');
      }
    }
    return sb.toString();
  }

  private static JsonGenerator generator(Writer out) throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(out);
    g.useDefaultPrettyPrinter();
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return g;
  }

  private static void json(ScanReport r, Writer out) throws IOException {
    try (JsonGenerator g = generator(out)) {
      g.writeStartObject();
      g.writeStringField("root", r.root());
      g.writeObjectFieldStart("summary");
      g.writeNumberField("files", r.files().size());
      g.writeNumberField("scanned", r.count(FileStatus.SCANNED));
      g.writeNumberField("skipped", r.count(FileStatus.SKIPPED));
      g.writeNumberField("failed", r.count(FileStatus.FAILED));
      g.writeObjectFieldStart("findings");
      for (Severity s : Severity.values()) {
        g.writeNumberField(s.id(), r.countFindings(s));
      }
      g.writeEndObject();
      g.writeEndObject();
      g.writeArrayFieldStart("files");
      for (FileReport f : r.files()) {
        g.writeStartObject();
        g.writeStringField("path", f.path());
        g.writeStringField("kind", f.kind());
        g.writeStringField("status", f.status().id());
        g.writeStringField("reason", f.reason());
        g.writeArrayFieldStart("findings");
        for (Finding x : f.findings()) {
          g.writeStartObject();
          g.writeStringField("rule", x.rule());
          g.writeStringField("severity", x.severity().id());
          g.writeStringField("location", x.location());
          g.writeStringField("subject", x.subject());
          g.writeStringField("message", x.message());
          // Only the findings that have them (lint, audit, deps): scan's JSON stays as it was.
          if (x.line() > 0) {
            g.writeNumberField("line", x.line());
            g.writeNumberField("column", x.column());
          }
          if (!x.fix().isEmpty()) {
            g.writeStringField("fix", x.fix());
          }
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    out.write('\n');
  }

  private static String level(Severity s) {
    return switch (s) {
      case CRITICAL, HIGH -> "error";
      case MEDIUM -> "warning";
      case LOW, INFO -> "note";
    };
  }

  /** GitHub code scanning reads this 0-10 score to rank security findings. */
  private static String securitySeverity(Severity s) {
    return switch (s) {
      case CRITICAL -> "9.5";
      case HIGH -> "8.0";
      case MEDIUM -> "5.0";
      case LOW -> "3.0";
      case INFO -> "0.5";
    };
  }

  /** A relative path as a URI reference (percent-encoded; never mistaken for a scheme). */
  static String uri(String path) {
    try {
      String p = path.contains(":") && !path.startsWith("/") ? "./" + path : path;
      return new URI(null, null, p, null).toASCIIString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static void sarif(ScanReport r, Writer out) throws IOException {
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    Map<String, Severity> ruleSeverity = new LinkedHashMap<>();
    for (Finding f : r.findings()) {
      if (!ruleIndex.containsKey(f.rule())) {
        ruleIndex.put(f.rule(), ruleIndex.size());
        ruleSeverity.put(f.rule(), f.severity());
      } else if (f.severity().atLeast(ruleSeverity.get(f.rule()))) {
        ruleSeverity.put(f.rule(), f.severity());
      }
    }
    try (JsonGenerator g = generator(out)) {
      g.writeStartObject();
      g.writeStringField("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
      g.writeStringField("version", "2.1.0");
      g.writeArrayFieldStart("runs");
      g.writeStartObject();
      g.writeObjectFieldStart("tool");
      g.writeObjectFieldStart("driver");
      g.writeStringField("name", "modelseal");
      g.writeStringField("semanticVersion", "0.1.0");
      g.writeArrayFieldStart("rules");
      for (Map.Entry<String, Integer> e : ruleIndex.entrySet()) {
        Severity s = ruleSeverity.get(e.getKey());
        g.writeStartObject();
        g.writeStringField("id", e.getKey());
        g.writeObjectFieldStart("shortDescription");
        g.writeStringField("text", RuleCatalog.describe(e.getKey()));
        g.writeEndObject();
        g.writeObjectFieldStart("defaultConfiguration");
        g.writeStringField("level", level(s));
        g.writeEndObject();
        g.writeObjectFieldStart("properties");
        g.writeStringField("security-severity", securitySeverity(s));
        g.writeArrayFieldStart("tags");
        g.writeString("security");
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.writeArrayFieldStart("results");
      for (Finding f : r.findings()) {
        g.writeStartObject();
        g.writeStringField("ruleId", f.rule());
        g.writeNumberField("ruleIndex", ruleIndex.get(f.rule()));
        g.writeStringField("level", level(f.severity()));
        g.writeObjectFieldStart("message");
        String text = f.subject().isEmpty() ? f.message() : f.subject() + ": " + f.message();
        g.writeStringField("text", f.fix().isEmpty() ? text : text + " Fix: " + f.fix());
        g.writeEndObject();
        writeLocations(g, f.file(), f.location(), f.line(), f.column());
        g.writeObjectFieldStart("properties");
        g.writeStringField("severity", f.severity().id());
        if (!f.fix().isEmpty()) {
          g.writeStringField("fix", f.fix());
        }
        g.writeStringField("security-severity", securitySeverity(f.severity()));
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      List<FileReport> notScanned =
          r.files().stream().filter(f -> f.status() != FileStatus.SCANNED).toList();
      g.writeArrayFieldStart("invocations");
      g.writeStartObject();
      g.writeBooleanField("executionSuccessful", r.count(FileStatus.FAILED) == 0);
      g.writeArrayFieldStart("toolExecutionNotifications");
      for (FileReport f : notScanned) {
        g.writeStartObject();
        g.writeStringField("level", f.status() == FileStatus.FAILED ? "error" : "note");
        g.writeObjectFieldStart("message");
        g.writeStringField("text", f.path() + ": " + f.status().id() + ": " + f.reason());
        g.writeEndObject();
        writeLocations(g, f.path(), "", 0, 0);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
    }
    out.write('\n');
  }

  private static void writeLocations(
      JsonGenerator g, String file, String location, int line, int column) throws IOException {
    g.writeArrayFieldStart("locations");
    g.writeStartObject();
    g.writeObjectFieldStart("physicalLocation");
    g.writeObjectFieldStart("artifactLocation");
    g.writeStringField("uri", uri(file));
    g.writeEndObject();
    if (line > 0) {
      g.writeObjectFieldStart("region");
      g.writeNumberField("startLine", line);
      if (column > 0) {
        g.writeNumberField("startColumn", column);
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    if (!location.isEmpty()) {
      g.writeArrayFieldStart("logicalLocations");
      g.writeStartObject();
      g.writeStringField("fullyQualifiedName", location);
      g.writeEndObject();
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeEndArray();
  }
}
