package dev.modelseal.scan;

import dev.modelseal.format.ParseLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for server-side template injection in Jinja chat templates (CVE-2024-34359: a GGUF chat
 * template rendered outside a sandbox ran shell commands). Nothing is rendered. The template is
 * tokenised and parsed the way Jinja2 does it ({@link JinjaLexer}, {@link JinjaParser}), then
 * judged by an abstract interpreter ({@link TemplateJudge}) that folds the strings it can know and
 * judges every attribute lookup on the folded name, so names built at run time (concatenation,
 * {@code set} blocks, macros, {@code format}, {@code replace}, {@code attr}, {@code
 * map(attribute=)}) are seen as Jinja would see them. A template Jinja would not compile, or one
 * past our bounds, is reported at high and never passes as clean.
 */
public final class TemplateInspector {
  /** Findings kept per template. */
  static final int MAX_FINDINGS = 1_000;

  /** Bounds on the work one template may cause. */
  record Budget(int maxTokens, int maxDepth, long maxSteps) {
    /**
     * Jinja itself fails at about 75 levels of parentheses (Python's recursion limit); real chat
     * templates have a few thousand tokens and need well under 100,000 evaluation steps.
     */
    static final Budget DEFAULT = new Budget(2_000_000, 100, 5_000_000);
  }

  private static final Pattern DUNDER = Pattern.compile("__[A-Za-z0-9_]*[A-Za-z0-9]__");

  private TemplateInspector() {}

  /**
   * Inspects a template with the default limits.
   *
   * @param template the template source
   * @param location where the template came from inside its file (a JSON key, a GGUF key); used as
   *     the findings' location prefix
   * @return findings with an empty file name: attribute them with {@link Finding#withFile}
   */
  public static List<Finding> inspect(String template, String location) {
    return inspect(template, location, ParseLimits.defaults());
  }

  /** As {@link #inspect(String, String)}, with the size cap from {@code limits}. */
  public static List<Finding> inspect(String template, String location, ParseLimits limits) {
    return inspect(template, location, limits, Budget.DEFAULT);
  }

  static List<Finding> inspect(
      String template, String location, ParseLimits limits, Budget budget) {
    Sink sink = new Sink(location);
    long bytes = utf8Length(template);
    if (bytes > limits.maxTextBytes()) {
      sink.add(
          "template.too-large",
          Severity.HIGH,
          0,
          bytes + " bytes",
          "template larger than " + limits.maxTextBytes() + " bytes: not scanned");
      return sink.list;
    }
    String src = JinjaLexer.normalise(template);
    List<JinjaNode.Stmt> body;
    try {
      List<JinjaToken> tokens = JinjaLexer.tokenize(src, budget.maxTokens());
      for (JinjaToken t : tokens) {
        if (t.obfuscated()) {
          sink.add(
              "template.obfuscated-string",
              Severity.HIGH,
              t.at(),
              t.text(),
              "string literal spells ordinary characters with escapes (hides what it names)");
        }
      }
      body = JinjaParser.parse(tokens, budget.maxDepth());
    } catch (TemplateSyntaxException e) {
      sink.add(
          "template.unparseable",
          Severity.HIGH,
          e.at(),
          e.getMessage(),
          "Jinja would not compile this template (" + e.getMessage() + "): it cannot be judged");
      // What a pattern can still see is reported too, so a broken template is never quieter.
      Matcher m = DUNDER.matcher(src);
      while (m.find() && sink.list.size() < MAX_FINDINGS) {
        sink.add(
            "template.ssti",
            Severity.CRITICAL,
            m.start(),
            m.group(),
            "dunder name '" + m.group() + "' in a template that cannot be parsed (SSTI)");
      }
      return sink.list;
    }
    if (!TemplateJudge.judge(body, sink, budget.maxSteps())) {
      sink.add(
          "template.too-complex",
          Severity.HIGH,
          0,
          budget.maxSteps() + " steps",
          "judging the template took more than " + budget.maxSteps() + " steps: not fully judged");
    }
    return sink.list;
  }

  /** Findings whose rule means the template could not be (fully) judged: the file fails. */
  static boolean notScanned(Finding f) {
    return switch (f.rule()) {
      case "template.too-large", "template.unparseable", "template.too-complex" -> true;
      default -> false;
    };
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }

  private static final class Sink implements TemplateJudge.Report {
    final String location;
    final List<Finding> list = new ArrayList<>();
    final Set<String> seen = new HashSet<>();

    Sink(String location) {
      this.location = location;
    }

    @Override
    public void add(String rule, Severity sev, int at, String subject, String message) {
      if (list.size() >= MAX_FINDINGS) {
        return; // a template this hostile is reported already; keep the report bounded
      }
      if (seen.add(rule + '\0' + subject)) {
        list.add(new Finding(rule, sev, "", Findings.at(location, "char " + at), subject, message));
      }
    }
  }
}
