package dev.modelseal.scan;

import dev.modelseal.scan.JinjaNode.Args;
import dev.modelseal.scan.JinjaNode.Binary;
import dev.modelseal.scan.JinjaNode.Block;
import dev.modelseal.scan.JinjaNode.Call;
import dev.modelseal.scan.JinjaNode.CallBlock;
import dev.modelseal.scan.JinjaNode.CondExpr;
import dev.modelseal.scan.JinjaNode.Data;
import dev.modelseal.scan.JinjaNode.DictLit;
import dev.modelseal.scan.JinjaNode.Do;
import dev.modelseal.scan.JinjaNode.Expr;
import dev.modelseal.scan.JinjaNode.Filter;
import dev.modelseal.scan.JinjaNode.FilterBlock;
import dev.modelseal.scan.JinjaNode.For;
import dev.modelseal.scan.JinjaNode.Getattr;
import dev.modelseal.scan.JinjaNode.Getitem;
import dev.modelseal.scan.JinjaNode.If;
import dev.modelseal.scan.JinjaNode.Kwarg;
import dev.modelseal.scan.JinjaNode.ListLit;
import dev.modelseal.scan.JinjaNode.Literal;
import dev.modelseal.scan.JinjaNode.Load;
import dev.modelseal.scan.JinjaNode.LoopControl;
import dev.modelseal.scan.JinjaNode.Macro;
import dev.modelseal.scan.JinjaNode.Name;
import dev.modelseal.scan.JinjaNode.NsRef;
import dev.modelseal.scan.JinjaNode.Param;
import dev.modelseal.scan.JinjaNode.Print;
import dev.modelseal.scan.JinjaNode.Set;
import dev.modelseal.scan.JinjaNode.SetBlock;
import dev.modelseal.scan.JinjaNode.Slice;
import dev.modelseal.scan.JinjaNode.Stmt;
import dev.modelseal.scan.JinjaNode.Test;
import dev.modelseal.scan.JinjaNode.TupleLit;
import dev.modelseal.scan.JinjaNode.Unary;
import dev.modelseal.scan.JinjaNode.With;
import dev.modelseal.scan.JinjaToken.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Jinja2's recursive-descent parser ({@code jinja2/parser.py}), statement for statement and with
 * the same operator precedence, plus the tags chat templates are rendered with: {@code do}, {@code
 * break}/{@code continue} and Hugging Face's {@code generation}. Recursion is bounded by {@code
 * maxDepth}: nesting past it is a {@link TemplateSyntaxException}, never a stack overflow (Jinja
 * itself fails with a RecursionError at about 75 levels of parentheses).
 */
final class JinjaParser {
  private static final java.util.Set<String> COMPARE =
      java.util.Set.of("==", "!=", "<", "<=", ">", ">=");

  private final List<JinjaToken> tokens;
  private final int maxDepth;
  private int pos;
  private int depth;

  private JinjaParser(List<JinjaToken> tokens, int maxDepth) {
    this.tokens = tokens;
    this.maxDepth = maxDepth;
  }

  static List<Stmt> parse(List<JinjaToken> tokens, int maxDepth) throws TemplateSyntaxException {
    JinjaParser p = new JinjaParser(tokens, maxDepth);
    return p.subparse(List.of());
  }

  // ---- token stream ---------------------------------------------------------------------------

  private JinjaToken cur() {
    return tokens.get(pos);
  }

  private JinjaToken look() {
    return tokens.get(Math.min(pos + 1, tokens.size() - 1));
  }

  private JinjaToken next() {
    JinjaToken t = cur();
    if (t.kind() != Kind.EOF) {
      pos++;
    }
    return t;
  }

  private boolean skipOp(String op) {
    if (cur().op(op)) {
      pos++;
      return true;
    }
    return false;
  }

  private boolean skipName(String n) {
    if (cur().name(n)) {
      pos++;
      return true;
    }
    return false;
  }

  private TemplateSyntaxException error(String what) {
    JinjaToken t = cur();
    String got = t.kind() == Kind.EOF ? "end of template" : describe(t);
    return new TemplateSyntaxException(what + ", got " + got, t.at());
  }

  private static String describe(JinjaToken t) {
    return switch (t.kind()) {
      case NAME, OPERATOR -> "'" + t.text() + "'";
      case STRING -> "string";
      case INTEGER, FLOAT -> "number";
      case DATA -> "template data";
      default -> t.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    };
  }

  private void expectOp(String op) throws TemplateSyntaxException {
    if (!skipOp(op)) {
      throw error("expected '" + op + "'");
    }
  }

  private void expect(Kind k) throws TemplateSyntaxException {
    if (cur().kind() != k) {
      throw error("expected " + k.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }
    next();
  }

  private String expectName() throws TemplateSyntaxException {
    if (cur().kind() != Kind.NAME) {
      throw error("expected a name");
    }
    return next().text();
  }

  private void enter() throws TemplateSyntaxException {
    if (++depth > maxDepth) {
      throw new TemplateSyntaxException("nested deeper than " + maxDepth, cur().at());
    }
  }

  private void leave() {
    depth--;
  }

  // ---- template structure ---------------------------------------------------------------------

  /** Nodes up to one of {@code endTokens} (a block tag name), which is left current. */
  private List<Stmt> subparse(List<String> endTokens) throws TemplateSyntaxException {
    enter();
    List<Stmt> body = new ArrayList<>();
    while (true) {
      JinjaToken t = cur();
      switch (t.kind()) {
        case DATA -> body.add(new Data(next().text(), t.at()));
        case VARIABLE_BEGIN -> {
          next();
          Expr e = parseTuple(false, true, List.of(), false);
          body.add(new Print(e, t.at()));
          expect(Kind.VARIABLE_END);
        }
        case BLOCK_BEGIN -> {
          next();
          if (!endTokens.isEmpty() && cur().kind() == Kind.NAME) {
            for (String end : endTokens) {
              if (cur().name(end)) {
                leave();
                return body;
              }
            }
          }
          body.add(parseStatement());
          expect(Kind.BLOCK_END);
        }
        case EOF -> {
          if (!endTokens.isEmpty()) {
            throw new TemplateSyntaxException(
                "unexpected end of template, expected '" + String.join("' or '", endTokens) + "'",
                t.at());
          }
          leave();
          return body;
        }
        default -> throw error("unexpected token");
      }
    }
  }

  /** Body up to an end tag: consumes the block end of the opening tag, leaves the end tag. */
  private List<Stmt> statements(List<String> endTokens, boolean dropNeedle)
      throws TemplateSyntaxException {
    skipOp(":");
    expect(Kind.BLOCK_END);
    List<Stmt> body = subparse(endTokens);
    if (cur().kind() == Kind.EOF) {
      throw error("unexpected end of template");
    }
    if (dropNeedle) {
      next();
    }
    return body;
  }

  private Stmt parseStatement() throws TemplateSyntaxException {
    JinjaToken t = cur();
    if (t.kind() != Kind.NAME) {
      throw error("tag name expected");
    }
    enter();
    try {
      return switch (t.text()) {
        case "for" -> parseFor();
        case "if" -> parseIf();
        case "block" -> parseBlock();
        case "extends" -> {
          next();
          yield new Load("extends", parseExpression(true), List.of(), t.at());
        }
        case "print" -> {
          next();
          yield new Print(parseTuple(false, true, List.of(), false), t.at());
        }
        case "macro" -> parseMacro();
        case "include" -> parseInclude();
        case "from" -> parseFrom();
        case "import" -> parseImport();
        case "set" -> parseSet();
        case "with" -> parseWith();
        case "autoescape" -> {
          next();
          Expr v = parseExpression(true);
          yield new Block("autoescape", v, statements(List.of("endautoescape"), true), t.at());
        }
        case "call" -> parseCallBlock();
        case "filter" -> parseFilterBlock();
        case "do" -> {
          next();
          yield new Do(parseTuple(false, true, List.of(), false), t.at());
        }
        case "break", "continue" -> {
          next();
          yield new LoopControl(t.text(), t.at());
        }
        case "generation" -> {
          next();
          yield new Block("generation", null, statements(List.of("endgeneration"), true), t.at());
        }
        default -> throw new TemplateSyntaxException("unknown tag '" + t.text() + "'", t.at());
      };
    } finally {
      leave();
    }
  }

  private Stmt parseFor() throws TemplateSyntaxException {
    int at = next().at();
    Expr target = parseAssignTarget(true, false, List.of("in"), false);
    if (!skipName("in")) {
      throw error("expected 'in'");
    }
    Expr iter = parseTuple(false, false, List.of("recursive"), false);
    Expr condition = null;
    if (skipName("if")) {
      condition = parseExpression(true);
    }
    boolean recursive = skipName("recursive");
    List<Stmt> body = statements(List.of("endfor", "else"), false);
    List<Stmt> orElse = List.of();
    if (next().text().equals("else")) {
      orElse = statements(List.of("endfor"), true);
    }
    return new For(target, iter, condition, recursive, body, orElse, at);
  }

  private Stmt parseIf() throws TemplateSyntaxException {
    int at = next().at();
    Expr test = parseTuple(false, false, List.of(), false);
    List<Stmt> body = statements(List.of("elif", "else", "endif"), false);
    JinjaToken t = next();
    List<Stmt> orElse;
    switch (t.text()) {
      case "elif" -> {
        pos--; // parse the elif as a nested if, as Jinja's tree has it
        enter();
        try {
          orElse = List.of(parseIf());
        } finally {
          leave();
        }
        return new If(test, body, orElse, at);
      }
      case "else" -> orElse = statements(List.of("endif"), true);
      default -> orElse = List.of();
    }
    return new If(test, body, orElse, at);
  }

  private Stmt parseBlock() throws TemplateSyntaxException {
    int at = next().at();
    String name = expectName();
    skipName("scoped");
    skipName("required");
    List<Stmt> body = statements(List.of("endblock"), true);
    if (cur().kind() == Kind.NAME) {
      next();
    }
    return new Block("block " + name, null, body, at);
  }

  private void contextModifier() {
    if ((cur().name("with") || cur().name("without")) && look().name("context")) {
      pos += 2;
    }
  }

  private Stmt parseInclude() throws TemplateSyntaxException {
    int at = next().at();
    Expr template = parseExpression(true);
    if (cur().name("ignore") && look().name("missing")) {
      pos += 2;
    }
    contextModifier();
    return new Load("include", template, List.of(), at);
  }

  private Stmt parseImport() throws TemplateSyntaxException {
    int at = next().at();
    Expr template = parseExpression(true);
    if (!skipName("as")) {
      throw error("expected 'as'");
    }
    String name = expectName();
    contextModifier();
    return new Load("import", template, List.of(name), at);
  }

  private Stmt parseFrom() throws TemplateSyntaxException {
    int at = next().at();
    Expr template = parseExpression(true);
    if (!skipName("import")) {
      throw error("expected 'import'");
    }
    List<String> names = new ArrayList<>();
    while (true) {
      if (!names.isEmpty() && !skipOp(",")) {
        break;
      }
      if (cur().kind() != Kind.NAME) {
        break;
      }
      if ((cur().name("with") || cur().name("without")) && look().name("context")) {
        break;
      }
      String n = next().text();
      if (skipName("as")) {
        n = expectName();
      }
      names.add(n);
    }
    contextModifier();
    return new Load("from", template, names, at);
  }

  private Stmt parseSet() throws TemplateSyntaxException {
    int at = next().at();
    Expr target = parseAssignTarget(true, false, List.of(), true);
    if (skipOp("=")) {
      return new Set(target, parseTuple(false, true, List.of(), false), at);
    }
    Expr filter = null;
    if (cur().op("|")) {
      filter = parseFilterChain(null, false);
    }
    List<Stmt> body = statements(List.of("endset"), true);
    return new SetBlock(target, filter, body, at);
  }

  private Stmt parseWith() throws TemplateSyntaxException {
    int at = next().at();
    List<Expr> targets = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (cur().kind() != Kind.BLOCK_END) {
      if (!targets.isEmpty()) {
        expectOp(",");
      }
      targets.add(parseAssignTarget(false, false, List.of(), false));
      expectOp("=");
      values.add(parseExpression(true));
    }
    return new With(targets, values, statements(List.of("endwith"), true), at);
  }

  private Stmt parseMacro() throws TemplateSyntaxException {
    int at = next().at();
    String name = expectName();
    List<Param> params = signature();
    return new Macro(name, params, statements(List.of("endmacro"), true), at);
  }

  private List<Param> signature() throws TemplateSyntaxException {
    List<Param> params = new ArrayList<>();
    expectOp("(");
    while (!cur().op(")")) {
      if (!params.isEmpty()) {
        expectOp(",");
      }
      JinjaToken t = cur();
      String n = expectName();
      Expr dflt = null;
      if (skipOp("=")) {
        dflt = parseExpression(true);
      } else if (params.stream().anyMatch(p -> p.defaultValue() != null)) {
        throw new TemplateSyntaxException("non-default argument follows default argument", t.at());
      }
      params.add(new Param(n, dflt, t.at()));
    }
    expectOp(")");
    return params;
  }

  private Stmt parseCallBlock() throws TemplateSyntaxException {
    int at = next().at();
    List<Param> params = cur().op("(") ? signature() : List.of();
    Expr e = parseExpression(true);
    if (!(e instanceof Call call)) {
      throw new TemplateSyntaxException("expected call", at);
    }
    return new CallBlock(call, params, statements(List.of("endcall"), true), at);
  }

  private Stmt parseFilterBlock() throws TemplateSyntaxException {
    int at = next().at();
    Expr filter = parseFilterChain(null, true);
    return new FilterBlock(filter, statements(List.of("endfilter"), true), at);
  }

  private Expr parseAssignTarget(
      boolean withTuple, boolean nameOnly, List<String> extraEnd, boolean withNamespace)
      throws TemplateSyntaxException {
    Expr target;
    if (withNamespace && cur().kind() == Kind.NAME && look().op(".")) {
      JinjaToken ns = next();
      next();
      String attr = expectName();
      target = new NsRef(ns.text(), attr, ns.at());
    } else if (nameOnly) {
      JinjaToken t = cur();
      target = new Name(expectName(), t.at());
    } else if (withTuple) {
      target = parseTuple(true, true, extraEnd, false);
    } else {
      target = parsePrimary();
    }
    if (!assignable(target)) {
      throw new TemplateSyntaxException("can't assign to this expression", target.at());
    }
    return target;
  }

  private static boolean assignable(Expr e) {
    return switch (e) {
      case Name n -> !List.of("true", "false", "none", "True", "False", "None").contains(n.name());
      case NsRef r -> true;
      case TupleLit t -> t.items().stream().allMatch(JinjaParser::assignable);
      default -> false;
    };
  }

  // ---- expressions ----------------------------------------------------------------------------

  private Expr parseExpression(boolean withCondExpr) throws TemplateSyntaxException {
    enter();
    try {
      return withCondExpr ? parseCondExpr() : parseOr();
    } finally {
      leave();
    }
  }

  private Expr parseCondExpr() throws TemplateSyntaxException {
    Expr e = parseOr();
    while (cur().name("if")) {
      int at = next().at();
      Expr test = parseOr();
      Expr otherwise = null;
      if (skipName("else")) {
        enter();
        try {
          otherwise = parseCondExpr();
        } finally {
          leave();
        }
      }
      e = new CondExpr(test, e, otherwise, at);
    }
    return e;
  }

  private Expr parseOr() throws TemplateSyntaxException {
    Expr e = parseAnd();
    while (cur().name("or")) {
      int at = next().at();
      e = new Binary("or", e, parseAnd(), at);
    }
    return e;
  }

  private Expr parseAnd() throws TemplateSyntaxException {
    Expr e = parseNot();
    while (cur().name("and")) {
      int at = next().at();
      e = new Binary("and", e, parseNot(), at);
    }
    return e;
  }

  private Expr parseNot() throws TemplateSyntaxException {
    if (cur().name("not")) {
      int at = next().at();
      enter();
      try {
        return new Unary("not", parseNot(), at);
      } finally {
        leave();
      }
    }
    return parseCompare();
  }

  private Expr parseCompare() throws TemplateSyntaxException {
    Expr e = parseMath1();
    while (true) {
      JinjaToken t = cur();
      if (t.kind() == Kind.OPERATOR && COMPARE.contains(t.text())) {
        next();
        e = new Binary(t.text(), e, parseMath1(), t.at());
      } else if (t.name("in")) {
        next();
        e = new Binary("in", e, parseMath1(), t.at());
      } else if (t.name("not") && look().name("in")) {
        pos += 2;
        e = new Binary("not in", e, parseMath1(), t.at());
      } else {
        return e;
      }
    }
  }

  private Expr parseMath1() throws TemplateSyntaxException {
    Expr e = parseConcat();
    while (cur().op("+") || cur().op("-")) {
      JinjaToken t = next();
      e = new Binary(t.text(), e, parseConcat(), t.at());
    }
    return e;
  }

  private Expr parseConcat() throws TemplateSyntaxException {
    Expr e = parseMath2();
    while (cur().op("~")) {
      JinjaToken t = next();
      e = new Binary("~", e, parseMath2(), t.at());
    }
    return e;
  }

  private Expr parseMath2() throws TemplateSyntaxException {
    Expr e = parsePow();
    while (cur().op("*") || cur().op("/") || cur().op("//") || cur().op("%")) {
      JinjaToken t = next();
      e = new Binary(t.text(), e, parsePow(), t.at());
    }
    return e;
  }

  private Expr parsePow() throws TemplateSyntaxException {
    Expr e = parseUnary(true);
    while (cur().op("**")) {
      JinjaToken t = next();
      e = new Binary("**", e, parseUnary(true), t.at());
    }
    return e;
  }

  private Expr parseUnary(boolean withFilter) throws TemplateSyntaxException {
    JinjaToken t = cur();
    Expr e;
    if (t.op("-") || t.op("+")) {
      next();
      enter();
      try {
        e = new Unary(t.text(), parseUnary(false), t.at());
      } finally {
        leave();
      }
    } else {
      e = parsePrimary();
    }
    e = parsePostfix(e);
    if (withFilter) {
      e = parseFilterExpr(e);
    }
    return e;
  }

  private Expr parsePrimary() throws TemplateSyntaxException {
    JinjaToken t = cur();
    switch (t.kind()) {
      case NAME -> {
        next();
        return switch (t.text()) {
          case "true", "True" -> new Literal(true, t.at());
          case "false", "False" -> new Literal(false, t.at());
          case "none", "None" -> new Literal(JinjaNode.None.NONE, t.at());
          default -> new Name(t.text(), t.at());
        };
      }
      case STRING -> {
        StringBuilder sb = new StringBuilder();
        while (cur().kind() == Kind.STRING) {
          sb.append(next().text()); // adjacent literals concatenate, as in Python
        }
        return new Literal(sb.toString(), t.at());
      }
      case INTEGER -> {
        next();
        return new Literal(integer(t.text()), t.at());
      }
      case FLOAT -> {
        next();
        double d;
        try {
          d = Double.parseDouble(t.text());
        } catch (NumberFormatException ex) {
          throw new TemplateSyntaxException("bad float literal", t.at());
        }
        return new Literal(d, t.at());
      }
      case OPERATOR -> {
        switch (t.text()) {
          case "(" -> {
            next();
            enter();
            try {
              Expr e = parseTuple(false, true, List.of(), true);
              expectOp(")");
              return e;
            } finally {
              leave();
            }
          }
          case "[" -> {
            return parseList();
          }
          case "{" -> {
            return parseDict();
          }
          default -> throw error("unexpected operator");
        }
      }
      default -> throw error("expected an expression");
    }
  }

  private static Object integer(String text) throws TemplateSyntaxException {
    String s = text.toLowerCase(java.util.Locale.ROOT);
    int radix = 10;
    if (s.startsWith("0b") || s.startsWith("0o") || s.startsWith("0x")) {
      radix = s.charAt(1) == 'b' ? 2 : s.charAt(1) == 'o' ? 8 : 16;
      s = s.substring(2);
    }
    StringBuilder ascii = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      int d = Character.digit(s.charAt(i), radix);
      if (d < 0) {
        throw new TemplateSyntaxException("bad integer literal", 0);
      }
      ascii.append(Character.forDigit(d, radix));
    }
    BigInteger v = new BigInteger(ascii.toString(), radix);
    return v.bitLength() < 63 ? (Object) v.longValue() : (Object) v.doubleValue();
  }

  /**
   * Jinja's {@code parse_tuple}: one expression, or a tuple when commas follow. {@code simplified}
   * parses primaries only (assignment targets).
   */
  private Expr parseTuple(
      boolean simplified, boolean withCondExpr, List<String> extraEnd, boolean explicitParens)
      throws TemplateSyntaxException {
    int at = cur().at();
    List<Expr> items = new ArrayList<>();
    boolean isTuple = false;
    while (true) {
      if (!items.isEmpty()) {
        if (!skipOp(",")) {
          break;
        }
        isTuple = true;
      }
      if (tupleEnd(extraEnd)) {
        break;
      }
      items.add(simplified ? parsePrimary() : parseExpression(withCondExpr));
    }
    if (!isTuple) {
      if (!items.isEmpty()) {
        return items.getFirst();
      }
      if (!explicitParens) {
        throw error("expected an expression");
      }
    }
    return new TupleLit(items, at);
  }

  private boolean tupleEnd(List<String> extraEnd) {
    JinjaToken t = cur();
    if (t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.op(")")) {
      return true;
    }
    return t.kind() == Kind.NAME && extraEnd.contains(t.text());
  }

  private Expr parseList() throws TemplateSyntaxException {
    int at = next().at();
    enter();
    try {
      List<Expr> items = new ArrayList<>();
      while (!cur().op("]")) {
        if (!items.isEmpty()) {
          expectOp(",");
        }
        if (cur().op("]")) {
          break;
        }
        items.add(parseExpression(true));
      }
      expectOp("]");
      return new ListLit(items, at);
    } finally {
      leave();
    }
  }

  private Expr parseDict() throws TemplateSyntaxException {
    int at = next().at();
    enter();
    try {
      List<Expr> keys = new ArrayList<>();
      List<Expr> values = new ArrayList<>();
      while (!cur().op("}")) {
        if (!keys.isEmpty()) {
          expectOp(",");
        }
        if (cur().op("}")) {
          break;
        }
        keys.add(parseExpression(true));
        expectOp(":");
        values.add(parseExpression(true));
      }
      expectOp("}");
      return new DictLit(keys, values, at);
    } finally {
      leave();
    }
  }

  private Expr parsePostfix(Expr e) throws TemplateSyntaxException {
    while (true) {
      JinjaToken t = cur();
      if (t.op(".") || t.op("[")) {
        e = parseSubscript(e);
      } else if (t.op("(")) {
        e = new Call(e, parseCallArgs(), t.at());
      } else {
        return e;
      }
    }
  }

  private Expr parseFilterExpr(Expr e) throws TemplateSyntaxException {
    while (true) {
      JinjaToken t = cur();
      if (t.op("|")) {
        e = parseFilterChain(e, false);
      } else if (t.name("is")) {
        e = parseTest(e);
      } else if (t.op("(")) {
        e = new Call(e, parseCallArgs(), t.at());
      } else {
        return e;
      }
    }
  }

  private Expr parseSubscript(Expr e) throws TemplateSyntaxException {
    JinjaToken t = next();
    if (t.op(".")) {
      JinjaToken n = cur();
      if (n.kind() == Kind.NAME) {
        next();
        return new Getattr(e, n.text(), n.at());
      }
      if (n.kind() == Kind.INTEGER) {
        next();
        return new Getitem(e, new Literal(integer(n.text()), n.at()), n.at());
      }
      throw error("expected name or number");
    }
    enter();
    try {
      List<Expr> args = new ArrayList<>();
      while (!cur().op("]")) {
        if (!args.isEmpty()) {
          expectOp(",");
          if (cur().op("]")) {
            break;
          }
        }
        args.add(parseSubscribed());
      }
      expectOp("]");
      if (args.isEmpty()) {
        throw new TemplateSyntaxException("expected an expression in subscript", t.at());
      }
      Expr key = args.size() == 1 ? args.getFirst() : new TupleLit(args, t.at());
      return new Getitem(e, key, t.at());
    } finally {
      leave();
    }
  }

  private Expr parseSubscribed() throws TemplateSyntaxException {
    int at = cur().at();
    Expr start = null;
    if (!cur().op(":")) {
      Expr e = parseExpression(true);
      if (!cur().op(":")) {
        return e;
      }
      start = e;
    }
    next();
    Expr stop = null;
    Expr step = null;
    if (!cur().op("]") && !cur().op(",") && !cur().op(":")) {
      stop = parseExpression(true);
    }
    if (skipOp(":")) {
      if (!cur().op("]") && !cur().op(",")) {
        step = parseExpression(true);
      }
    }
    return new Slice(start, stop, step, at);
  }

  private Args parseCallArgs() throws TemplateSyntaxException {
    expectOp("(");
    enter();
    try {
      List<Expr> args = new ArrayList<>();
      List<Kwarg> kwargs = new ArrayList<>();
      Expr star = null;
      Expr doubleStar = null;
      boolean first = true;
      while (!cur().op(")")) {
        if (!first) {
          expectOp(",");
          if (cur().op(")")) {
            break;
          }
        }
        first = false;
        if (skipOp("*")) {
          if (star != null || doubleStar != null) {
            throw error("invalid argument order");
          }
          star = parseExpression(true);
        } else if (skipOp("**")) {
          if (doubleStar != null) {
            throw error("invalid argument order");
          }
          doubleStar = parseExpression(true);
        } else if (cur().kind() == Kind.NAME && look().op("=")) {
          JinjaToken k = next();
          next();
          if (doubleStar != null) {
            throw error("invalid argument order");
          }
          kwargs.add(new Kwarg(k.text(), parseExpression(true), k.at()));
        } else {
          if (star != null || doubleStar != null || !kwargs.isEmpty()) {
            throw error("invalid syntax for function call expression");
          }
          args.add(parseExpression(true));
        }
      }
      expectOp(")");
      return new Args(List.copyOf(args), List.copyOf(kwargs), star, doubleStar);
    } finally {
      leave();
    }
  }

  /** {@code |name(.name)*[(args)]} repeated; {@code input} null at a filter block's head. */
  private Expr parseFilterChain(Expr input, boolean startInline) throws TemplateSyntaxException {
    Expr e = input;
    boolean inline = startInline;
    while (cur().op("|") || inline) {
      if (!inline) {
        next();
      }
      inline = false;
      JinjaToken t = cur();
      StringBuilder name = new StringBuilder(expectName());
      while (cur().op(".")) {
        next();
        name.append('.').append(expectName());
      }
      Args args = cur().op("(") ? parseCallArgs() : Args.NONE;
      e = new Filter(e, name.toString(), args, t.at());
    }
    return e;
  }

  private Expr parseTest(Expr e) throws TemplateSyntaxException {
    next(); // is
    boolean negated = skipName("not");
    JinjaToken t = cur();
    StringBuilder name = new StringBuilder(expectName());
    while (cur().op(".")) {
      next();
      name.append('.').append(expectName());
    }
    Args args = Args.NONE;
    JinjaToken c = cur();
    if (c.op("(")) {
      args = parseCallArgs();
    } else if ((c.kind() == Kind.NAME
            || c.kind() == Kind.STRING
            || c.kind() == Kind.INTEGER
            || c.kind() == Kind.FLOAT
            || c.op("(")
            || c.op("[")
            || c.op("{"))
        && !(c.name("else") || c.name("or") || c.name("and"))) {
      if (c.name("is")) {
        throw error("You cannot chain multiple tests with is");
      }
      Expr arg = parsePostfix(parsePrimary());
      args = new Args(List.of(arg), List.of(), null, null);
    }
    return new Test(e, name.toString(), args, negated, t.at());
  }
}
