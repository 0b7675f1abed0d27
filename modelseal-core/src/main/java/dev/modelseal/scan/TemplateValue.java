package dev.modelseal.scan;

import dev.modelseal.scan.JinjaNode.Macro;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the template judge knows about a value at analysis time: a constant, a list or dict of such
 * values, one of a few constants, something computed at render time (from the caller's messages, or
 * by operations the judge does not fold), or one of Jinja's objects.
 */
sealed interface TemplateValue {
  /** A string, Long, Double, Boolean or {@link JinjaNode.None#NONE}. */
  record Const(Object value) implements TemplateValue {}

  /** One of these constants (after an {@code if} whose branches set different values). */
  record OneOf(List<Const> choices) implements TemplateValue {}

  record Seq(List<TemplateValue> items) implements TemplateValue {}

  record Dict(Map<String, TemplateValue> entries) implements TemplateValue {}

  /**
   * Known only at render time. {@code keyOf} is the expression a loop took this value from as a key
   * ({@code for k in d}, {@code d|items}), so {@code d[k]} is an item that exists, not a getattr.
   */
  record Unknown(Type type, String keyOf) implements TemplateValue {
    enum Type {
      ANY,
      STRING,
      NUMBER,
      BOOL
    }
  }

  /** A callable the template may call but not reach into ({@code range}, {@code dict} ...). */
  record Function(String name) implements TemplateValue {}

  /** A {@code namespace(...)} instance; attributes are set with {@code set ns.x = ...}. */
  final class Namespace implements TemplateValue {
    final Map<String, TemplateValue> attrs = new LinkedHashMap<>();
  }

  /** The {@code loop} variable of a for loop. */
  record Loop(TemplateValue item) implements TemplateValue {}

  /** A macro (or a call block's {@code caller}), with the scope it was defined in. */
  record MacroValue(Macro macro, TemplateJudge.Scope scope) implements TemplateValue {}

  /** A method looked up on a constant string or a known dict, folded when called. */
  record BoundMethod(TemplateValue self, String name) implements TemplateValue {}

  Unknown ANY = new Unknown(Unknown.Type.ANY, null);
  Unknown STRING = new Unknown(Unknown.Type.STRING, null);
  Unknown NUMBER = new Unknown(Unknown.Type.NUMBER, null);
  Unknown BOOL = new Unknown(Unknown.Type.BOOL, null);

  static Const of(Object v) {
    return new Const(v);
  }
}
