package dev.modelseal.scan;

/**
 * One token of a Jinja template, as Jinja2's lexer yields it to its parser.
 *
 * @param kind what it is
 * @param text the operator, name, or decoded string / template data
 * @param at offset in the normalised source
 * @param obfuscated for a string: an escape spelled an ordinary character ({@code \x5f})
 */
record JinjaToken(Kind kind, String text, int at, boolean obfuscated) {
  enum Kind {
    DATA,
    VARIABLE_BEGIN,
    VARIABLE_END,
    BLOCK_BEGIN,
    BLOCK_END,
    NAME,
    STRING,
    INTEGER,
    FLOAT,
    OPERATOR,
    EOF
  }

  boolean is(Kind k) {
    return kind == k;
  }

  boolean op(String o) {
    return kind == Kind.OPERATOR && text.equals(o);
  }

  boolean name(String n) {
    return kind == Kind.NAME && text.equals(n);
  }
}
