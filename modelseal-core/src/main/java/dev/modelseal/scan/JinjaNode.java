package dev.modelseal.scan;

import java.util.List;

/**
 * The syntax tree of a Jinja template, as Jinja2's parser ({@code jinja2/parser.py}) builds it.
 * Every node carries its offset in the normalised source, for findings.
 */
sealed interface JinjaNode {
  int at();

  /** Jinja's {@code none}. */
  enum None {
    NONE
  }

  // ---- expressions ------------------------------------------------------------------------------

  sealed interface Expr extends JinjaNode {}

  record Name(String name, int at) implements Expr {}

  /** {@code value} is a String, Long, Double, Boolean or {@link None#NONE}. */
  record Literal(Object value, int at) implements Expr {}

  record ListLit(List<Expr> items, int at) implements Expr {}

  record TupleLit(List<Expr> items, int at) implements Expr {}

  record DictLit(List<Expr> keys, List<Expr> values, int at) implements Expr {}

  /** {@code obj.name} (also {@code obj.0}, which Jinja makes an item access: see Getitem). */
  record Getattr(Expr obj, String name, int at) implements Expr {}

  /** {@code obj[key]}; Jinja's sandbox falls back to getattr when the key is a string. */
  record Getitem(Expr obj, Expr key, int at) implements Expr {}

  record Slice(Expr start, Expr stop, Expr step, int at) implements Expr {}

  record Kwarg(String name, Expr value, int at) {}

  record Args(List<Expr> args, List<Kwarg> kwargs, Expr star, Expr doubleStar) {
    static final Args NONE = new Args(List.of(), List.of(), null, null);
  }

  record Call(Expr fn, Args args, int at) implements Expr {}

  /** {@code input|name(args)}; {@code input} is null at the head of a filter block's chain. */
  record Filter(Expr input, String name, Args args, int at) implements Expr {}

  record Test(Expr input, String name, Args args, boolean negated, int at) implements Expr {}

  /** Arithmetic, {@code ~}, comparisons, {@code in}, {@code not in}, {@code and}, {@code or}. */
  record Binary(String op, Expr left, Expr right, int at) implements Expr {}

  /** {@code not}, unary {@code -} and {@code +}. */
  record Unary(String op, Expr operand, int at) implements Expr {}

  record CondExpr(Expr test, Expr then, Expr otherwise, int at) implements Expr {}

  /** {@code ns.attr} as a {@code set} target. */
  record NsRef(String ns, String attr, int at) implements Expr {}

  // ---- statements -------------------------------------------------------------------------------

  sealed interface Stmt extends JinjaNode {}

  record Data(String text, int at) implements Stmt {}

  record Print(Expr expr, int at) implements Stmt {}

  record For(
      Expr target,
      Expr iter,
      Expr condition,
      boolean recursive,
      List<Stmt> body,
      List<Stmt> orElse,
      int at)
      implements Stmt {}

  record If(Expr test, List<Stmt> body, List<Stmt> orElse, int at) implements Stmt {}

  record Set(Expr target, Expr value, int at) implements Stmt {}

  /** {@code {% set x | filters %}body{% endset %}}; {@code filter} is null without filters. */
  record SetBlock(Expr target, Expr filter, List<Stmt> body, int at) implements Stmt {}

  record Param(String name, Expr defaultValue, int at) {}

  record Macro(String name, List<Param> params, List<Stmt> body, int at) implements Stmt {}

  record CallBlock(Call call, List<Param> params, List<Stmt> body, int at) implements Stmt {}

  record FilterBlock(Expr filter, List<Stmt> body, int at) implements Stmt {}

  record With(List<Expr> targets, List<Expr> values, List<Stmt> body, int at) implements Stmt {}

  /** Template inheritance {@code block}, and extension blocks such as HF's {@code generation}. */
  record Block(String kind, Expr value, List<Stmt> body, int at) implements Stmt {}

  /**
   * {@code include}, {@code import}, {@code from ... import}, {@code extends}: each reads another
   * template through the renderer's loader; {@code names} are what it binds.
   */
  record Load(String kind, Expr template, List<String> names, int at) implements Stmt {}

  /** {@code do} (the expression-statement extension) and {@code print}. */
  record Do(Expr expr, int at) implements Stmt {}

  /** {@code break} and {@code continue} (the loopcontrols extension Hugging Face enables). */
  record LoopControl(String kind, int at) implements Stmt {}
}
