package dev.modelseal.scan;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Standalone Jinja chat templates ({@code chat_template.jinja} and other {@code .jinja} files). */
final class TemplateFileScanner implements ContentScanner {
  @Override
  public boolean identifies(Content c) {
    return switch (c.extension()) {
      case "jinja", "jinja2", "j2" -> true;
      default -> false;
    };
  }

  @Override
  public Outcome scan(Content c, ScanContext ctx) {
    if (c.size() > ctx.limits().maxTextBytes()) {
      ctx.findings()
          .add(
              "template.too-large",
              Severity.HIGH,
              c.where(),
              c.size() + " bytes",
              "template larger than " + ctx.limits().maxTextBytes() + " bytes: not scanned");
      return Outcome.failed("template", "template larger than the text limit");
    }
    String text = new String(c.data().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    List<Finding> found = TemplateInspector.inspect(text, c.where(), ctx.limits());
    ctx.findings().addAll(found);
    return Outcome.scanned("template");
  }
}
