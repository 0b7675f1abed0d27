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
import dev.modelseal.scan.TemplateValue.BoundMethod;
import dev.modelseal.scan.TemplateValue.Const;
import dev.modelseal.scan.TemplateValue.Dict;
import dev.modelseal.scan.TemplateValue.Function;
import dev.modelseal.scan.TemplateValue.Loop;
import dev.modelseal.scan.TemplateValue.MacroValue;
import dev.modelseal.scan.TemplateValue.Namespace;
import dev.modelseal.scan.TemplateValue.OneOf;
import dev.modelseal.scan.TemplateValue.Seq;
import dev.modelseal.scan.TemplateValue.Unknown;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Judges a parsed template without rendering it: an abstract interpreter that follows the
 * template's own data flow ({@code set}, block {@code set}, {@code with}, macros and their return
 * text, {@code for} over constant lists, namespaces across loop iterations) and folds every string
 * it can know at analysis time ({@code ~}, {@code +}, {@code *}, {@code %}, slicing, {@code join},
 * {@code format}, {@code replace}, {@code lower}, {@code reverse}, {@code string}, str methods).
 * Then every place where Jinja turns a string into an attribute lookup — {@code .name}, {@code
 * [key]} (the sandbox falls back to getattr), {@code attr()}, {@code map(attribute=)} and its
 * siblings, {@code str.format} fields — is judged on the folded name: a dunder or a name only an
 * escape needs is {@code template.ssti}, a name not known at analysis time is {@code
 * template.computed-attribute}. Jinja globals that lead to Python objects are {@code
 * template.python-global} whenever they are used other than as chat templates use them.
 *
 * <p>All work is bounded: nesting by the parser's depth, evaluation steps by {@code maxSteps}
 * (after which {@link #judge} returns false and the caller reports the template as not judged),
 * macro recursion, loop unrolling and folded string sizes by constants below.
 */
final class TemplateJudge {
  /** Where findings go; the inspector's sink. */
  interface Report {
    void add(String rule, Severity severity, int at, String subject, String message);
  }

  /** Attribute or item names that only an escape to Python needs. */
  static final java.util.Set<String> ESCAPE_NAMES =
      java.util.Set.of(
          "os",
          "sys",
          "popen",
          "system",
          "subprocess",
          "eval",
          "exec",
          "execfile",
          "compile",
          "import_module",
          "getattr",
          "setattr",
          "delattr",
          "globals",
          "locals",
          "builtins",
          "import",
          "mro",
          "subclasses",
          "func_globals",
          "func_code",
          "f_globals",
          "f_locals",
          "f_builtins",
          "f_back",
          "gi_frame",
          "gi_code",
          "cr_frame",
          "cr_code",
          "ag_frame",
          "tb_frame",
          "tb_next",
          "co_code",
          "check_output",
          "check_call",
          "getoutput",
          "Popen",
          "spawnv",
          "spawnl",
          "execv",
          "execl",
          "load_module",
          "modules",
          "environ");

  /** Globals that reach Python objects; chat templates use none of them. */
  private static final java.util.Set<String> PYTHON_GLOBALS =
      java.util.Set.of(
          "lipsum",
          "cycler",
          "joiner",
          "self",
          "config",
          "request",
          "session",
          "g",
          "url_for",
          "get_flashed_messages",
          "__builtins__");

  /** Callables chat templates call; anything other than a call reaches into Python. */
  private static final java.util.Set<String> CALL_ONLY =
      java.util.Set.of("range", "dict", "namespace", "lipsum", "cycler", "joiner");

  private static final Pattern DUNDER = Pattern.compile("__[A-Za-z0-9_]*[A-Za-z0-9]__");

  private static final int MAX_MACRO_DEPTH = 8;
  private static final int MAX_UNROLL = 64;
  private static final int MAX_CHOICES = 8;
  private static final int MAX_FOLDED_CHARS = 65_536;
  private static final int LOOP_PASSES = 3;

  /** Variables of one Jinja frame, with its parent. */
  static final class Scope {
    final Scope parent;
    final Map<String, TemplateValue> vars = new HashMap<>();

    Scope(Scope parent) {
      this.parent = parent;
    }

    TemplateValue lookup(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        TemplateValue v = s.vars.get(name);
        if (v != null) {
          return v;
        }
      }
      return null;
    }
  }

  private final Report report;
  private final long maxSteps;
  private final List<Namespace> namespaces = new ArrayList<>();
  private final IdentityHashMap<Macro, MacroValue> uncalled = new IdentityHashMap<>();
  private long steps;
  private boolean exhausted;
  private int macroDepth;

  private TemplateJudge(Report report, long maxSteps) {
    this.report = report;
    this.maxSteps = maxSteps;
  }

  /** Judges a template; returns false when the step budget ran out before all of it was judged. */
  static boolean judge(List<Stmt> body, Report report, long maxSteps) {
    TemplateJudge j = new TemplateJudge(report, maxSteps);
    Scope top = new Scope(null);
    j.render(body, top);
    // Macros (and call-block bodies) never called are judged with unknown arguments.
    while (!j.uncalled.isEmpty() && !j.exhausted) {
      Map.Entry<Macro, MacroValue> e = j.uncalled.entrySet().iterator().next();
      j.uncalled.remove(e.getKey());
      j.callMacro(e.getValue(), List.of(), Map.of(), null, true);
    }
    return !j.exhausted;
  }

  private boolean tick() {
    if (++steps > maxSteps) {
      exhausted = true;
    }
    return exhausted;
  }

  // ---- findings -------------------------------------------------------------------------------

  private void ssti(int at, String name, String how) {
    String what = name.contains("__") ? "dunder access" : "a name only an escape to Python needs";
    report.add(
        "template.ssti",
        Severity.CRITICAL,
        at,
        name,
        "template reaches '" + name + "' " + how + ": " + what + " (SSTI)");
  }

  private void computed(int at, String how) {
    report.add(
        "template.computed-attribute",
        Severity.HIGH,
        at,
        how,
        "attribute or item name computed at render time (" + how + "): it may name anything");
  }

  private void pythonGlobal(int at, String name, String how) {
    report.add(
        "template.python-global",
        Severity.HIGH,
        at,
        name,
        "template " + how + " '" + name + "', a global that leads to Python objects");
  }

  /** Judges one attribute name that Jinja will look up. */
  private void checkName(String name, int at, String how) {
    if (name.contains("__") || ESCAPE_NAMES.contains(name)) {
      ssti(at, name, how);
    }
  }

  /** {@code map(attribute='a.b.0')}: Jinja's attrgetter splits on dots. */
  private void checkPath(TemplateValue v, int at, String how) {
    for (Const c : constants(v)) {
      if (c == null || !(c.value() instanceof String s)) {
        if (c != null && (c.value() instanceof Long || c.value() instanceof Double)) {
          continue;
        }
        computed(at, how);
        return;
      }
      for (String part : s.split("\\.", -1)) {
        checkName(part, at, how);
      }
    }
  }

  /** A name argument ({@code attr(x)}): must be a known string. */
  private void checkNameValue(TemplateValue v, int at, String how) {
    for (Const c : constants(v)) {
      if (c == null || !(c.value() instanceof String s)) {
        computed(at, how);
        return;
      }
      checkName(s, at, how);
    }
  }

  /** The constants a value may be; a null element when it may be something not known. */
  private static List<Const> constants(TemplateValue v) {
    return switch (v) {
      case Const c -> List.of(c);
      case OneOf o -> o.choices();
      default -> java.util.Arrays.asList((Const) null);
    };
  }

  // ---- statements -----------------------------------------------------------------------------

  /** Renders statements abstractly; returns their output (a constant string or STRING). */
  private TemplateValue render(List<Stmt> body, Scope s) {
    Output out = new Output();
    for (Stmt st : body) {
      if (tick()) {
        return TemplateValue.STRING;
      }
      out.add(stmt(st, s));
    }
    return out.value();
  }

  /** Accumulates rendered text while it is all known, capped. */
  private static final class Output {
    private StringBuilder sb = new StringBuilder();

    void add(TemplateValue v) {
      if (sb == null) {
        return;
      }
      String s = v instanceof Const c ? str(c) : null;
      if (s == null || sb.length() + s.length() > MAX_FOLDED_CHARS) {
        sb = null;
      } else {
        sb.append(s);
      }
    }

    TemplateValue value() {
      return sb == null ? TemplateValue.STRING : TemplateValue.of(sb.toString());
    }
  }

  private static final Const EMPTY = new Const("");

  private TemplateValue stmt(Stmt st, Scope s) {
    return switch (st) {
      case Data d -> new Const(d.text());
      case Print p -> printed(eval(p.expr(), s));
      case Do d -> {
        eval(d.expr(), s);
        yield EMPTY;
      }
      case LoopControl l -> EMPTY;
      case If i -> ifStmt(i, s);
      case For f -> forStmt(f, s);
      case Set st2 -> {
        assign(st2.target(), eval(st2.value(), s), s);
        yield EMPTY;
      }
      case SetBlock sb -> {
        TemplateValue v = render(sb.body(), new Scope(s));
        if (sb.filter() != null) {
          v = filterChain(sb.filter(), v, s);
        }
        assign(sb.target(), v, s);
        yield EMPTY;
      }
      case Macro m -> {
        MacroValue mv = new MacroValue(m, s);
        s.vars.put(m.name(), mv);
        uncalled.put(m, mv);
        yield EMPTY;
      }
      case CallBlock cb -> {
        Macro body = new Macro("caller", cb.params(), cb.body(), cb.at());
        MacroValue caller = new MacroValue(body, s);
        uncalled.put(body, caller);
        yield printed(call(cb.call(), s, caller));
      }
      case FilterBlock fb -> filterChain(fb.filter(), render(fb.body(), new Scope(s)), s);
      case With w -> {
        Scope inner = new Scope(s);
        for (int k = 0; k < w.targets().size(); k++) {
          assign(w.targets().get(k), eval(w.values().get(k), s), inner);
        }
        yield render(w.body(), inner);
      }
      case Block b -> {
        if (b.value() != null) {
          eval(b.value(), s);
        }
        yield render(b.body(), new Scope(s));
      }
      case Load l -> {
        report.add(
            "template.loads-template",
            Severity.HIGH,
            l.at(),
            l.kind(),
            "template " + l.kind() + "s another template from the renderer's loader");
        eval(l.template(), s);
        for (String n : l.names()) {
          s.vars.put(n, TemplateValue.ANY);
        }
        yield TemplateValue.STRING;
      }
    };
  }

  private static TemplateValue printed(TemplateValue v) {
    return v instanceof Const c && str(c) != null ? new Const(str(c)) : TemplateValue.STRING;
  }

  private TemplateValue ifStmt(If i, Scope s) {
    eval(i.test(), s);
    State before = state(s);
    TemplateValue a = render(i.body(), s);
    State afterBody = state(s);
    before.restore(s);
    TemplateValue b = render(i.orElse(), s);
    State afterElse = state(s);
    afterBody.joinWith(afterElse).restore(s);
    return join(a, b);
  }

  private TemplateValue forStmt(For f, Scope s) {
    TemplateValue iter = eval(f.iter(), s);
    String keyOf = keySource(f.iter());
    boolean pairs = pairsOf(f.iter());
    TemplateValue out;
    List<TemplateValue> items = elements(iter);
    if (items != null && items.size() <= MAX_UNROLL) {
      Output o = new Output();
      State joined = null;
      for (TemplateValue item : items) {
        o.add(iteration(f, s, item));
        State now = state(s);
        joined = joined == null ? now : joined.joinWith(now);
        if (exhausted) {
          break;
        }
      }
      if (joined != null) {
        joined.restore(s);
      }
      out = o.value();
    } else {
      TemplateValue item = elementOf(iter, keyOf, pairs);
      boolean stable = false;
      for (int pass = 0; pass < LOOP_PASSES && !stable && !exhausted; pass++) {
        State before = state(s);
        iteration(f, s, item);
        State merged = before.joinWith(state(s));
        merged.restore(s);
        stable = merged.equals(before);
      }
      if (!stable) {
        state(s).widened().restore(s);
        iteration(f, s, item);
      }
      out = TemplateValue.STRING;
    }
    if (!f.orElse().isEmpty()) {
      render(f.orElse(), new Scope(s));
      out = TemplateValue.STRING;
    }
    return out;
  }

  private TemplateValue iteration(For f, Scope s, TemplateValue item) {
    Scope inner = new Scope(s);
    assign(f.target(), item, inner);
    inner.vars.put("loop", new Loop(item));
    if (f.condition() != null) {
      eval(f.condition(), inner);
    }
    return render(f.body(), inner);
  }

  /** The known items of a value iterated over, or null. */
  private static List<TemplateValue> elements(TemplateValue v) {
    return switch (v) {
      case Seq q -> q.items();
      case Dict d -> {
        List<TemplateValue> keys = new ArrayList<>();
        for (String k : d.entries().keySet()) {
          keys.add(new Const(k));
        }
        yield keys;
      }
      case Const c when c.value() instanceof String str && str.length() <= MAX_UNROLL -> {
        List<TemplateValue> chars = new ArrayList<>();
        str.codePoints().forEach(cp -> chars.add(new Const(Character.toString(cp))));
        yield chars;
      }
      default -> null;
    };
  }

  private static TemplateValue elementOf(TemplateValue iter, String keyOf, boolean pairs) {
    if (iter instanceof Unknown u && u.type() == Unknown.Type.NUMBER) {
      return TemplateValue.NUMBER; // range(n)
    }
    if (keyOf == null) {
      return TemplateValue.ANY;
    }
    Unknown key = new Unknown(Unknown.Type.ANY, keyOf);
    return pairs ? new Seq(List.of(key, TemplateValue.ANY)) : key;
  }

  /** {@code for k in d}, {@code d.keys()}, {@code d.items()}, {@code d|items}: d's fingerprint. */
  private static String keySource(Expr iter) {
    Expr d = iter;
    if (iter instanceof Call c
        && c.fn() instanceof Getattr g
        && (g.name().equals("items") || g.name().equals("keys"))
        && c.args().args().isEmpty()) {
      d = g.obj();
    } else if (iter instanceof Filter f
        && f.input() != null
        && (f.name().equals("items") || f.name().equals("dictsort") || f.name().equals("list"))) {
      d = f.input();
    }
    return fingerprint(d);
  }

  private static boolean pairsOf(Expr iter) {
    return (iter instanceof Call c && c.fn() instanceof Getattr g && g.name().equals("items"))
        || (iter instanceof Filter f && (f.name().equals("items") || f.name().equals("dictsort")));
  }

  /** A position-free spelling of a plain access path ({@code a.b['c']}), or null. */
  private static String fingerprint(Expr e) {
    return switch (e) {
      case Name n -> n.name();
      case Getattr g -> {
        String o = fingerprint(g.obj());
        yield o == null ? null : o + "." + g.name();
      }
      case Getitem gi when gi.key() instanceof Literal l -> {
        String o = fingerprint(gi.obj());
        yield o == null ? null : o + "[" + l.value() + "]";
      }
      default -> null;
    };
  }

  private void assign(Expr target, TemplateValue v, Scope s) {
    switch (target) {
      case Name n -> {
        if (n.name().contains("__")) {
          ssti(n.at(), n.name(), "as a variable name");
        }
        s.vars.put(n.name(), v);
      }
      case NsRef r -> {
        checkName(r.attr(), r.at(), "as a namespace attribute");
        if (s.lookup(r.ns()) instanceof Namespace ns) {
          ns.attrs.put(r.attr(), v);
        }
      }
      case TupleLit t -> {
        List<TemplateValue> parts =
            v instanceof Seq q && q.items().size() == t.items().size() ? q.items() : null;
        for (int k = 0; k < t.items().size(); k++) {
          assign(t.items().get(k), parts == null ? TemplateValue.ANY : parts.get(k), s);
        }
      }
      default -> {}
    }
  }

  // ---- state snapshots (scope frame + namespaces) ---------------------------------------------

  /** The current frame's variables and every namespace's attributes. */
  private State state(Scope s) {
    List<Map<String, TemplateValue>> ns = new ArrayList<>();
    for (Namespace n : namespaces) {
      ns.add(new LinkedHashMap<>(n.attrs));
    }
    return new State(new HashMap<>(s.vars), ns);
  }

  private final class State {
    final Map<String, TemplateValue> vars;
    final List<Map<String, TemplateValue>> ns;

    State(Map<String, TemplateValue> vars, List<Map<String, TemplateValue>> ns) {
      this.vars = vars;
      this.ns = ns;
    }

    void restore(Scope s) {
      s.vars.clear();
      s.vars.putAll(vars);
      for (int k = 0; k < ns.size(); k++) {
        namespaces.get(k).attrs.clear();
        namespaces.get(k).attrs.putAll(ns.get(k));
      }
      // Namespaces created after this state was taken keep what they have.
    }

    State joinWith(State o) {
      Map<String, TemplateValue> v = joinMaps(vars, o.vars);
      List<Map<String, TemplateValue>> n = new ArrayList<>();
      for (int k = 0; k < Math.max(ns.size(), o.ns.size()); k++) {
        Map<String, TemplateValue> a = k < ns.size() ? ns.get(k) : Map.of();
        Map<String, TemplateValue> b = k < o.ns.size() ? o.ns.get(k) : Map.of();
        n.add(joinMaps(a, b));
      }
      return new State(v, n);
    }

    State widened() {
      List<Map<String, TemplateValue>> n = new ArrayList<>();
      for (Map<String, TemplateValue> m : ns) {
        Map<String, TemplateValue> w = new LinkedHashMap<>();
        for (String k : m.keySet()) {
          w.put(k, TemplateValue.ANY);
        }
        n.add(w);
      }
      return new State(vars, n);
    }

    @Override
    public boolean equals(Object x) {
      return x instanceof State o && vars.equals(o.vars) && ns.equals(o.ns);
    }

    @Override
    public int hashCode() {
      return Objects.hash(vars, ns);
    }
  }

  private static Map<String, TemplateValue> joinMaps(
      Map<String, TemplateValue> a, Map<String, TemplateValue> b) {
    Map<String, TemplateValue> out = new LinkedHashMap<>(a);
    for (Map.Entry<String, TemplateValue> e : b.entrySet()) {
      TemplateValue old = out.get(e.getKey());
      out.put(e.getKey(), old == null ? e.getValue() : join(old, e.getValue()));
    }
    return out;
  }

  /** The least value that covers both. */
  static TemplateValue join(TemplateValue a, TemplateValue b) {
    if (a.equals(b) || a == b) {
      return a;
    }
    List<Const> ca = a instanceof Const c ? List.of(c) : a instanceof OneOf o ? o.choices() : null;
    List<Const> cb = b instanceof Const c ? List.of(c) : b instanceof OneOf o ? o.choices() : null;
    if (ca != null && cb != null) {
      List<Const> all = new ArrayList<>(ca);
      for (Const c : cb) {
        if (!all.contains(c)) {
          all.add(c);
        }
      }
      if (all.size() <= MAX_CHOICES) {
        return new OneOf(List.copyOf(all));
      }
    }
    if (a instanceof Seq x && b instanceof Seq y && x.items().size() == y.items().size()) {
      List<TemplateValue> items = new ArrayList<>();
      for (int k = 0; k < x.items().size(); k++) {
        items.add(join(x.items().get(k), y.items().get(k)));
      }
      return new Seq(items);
    }
    Unknown.Type ta = typeOf(a);
    return ta == typeOf(b) && ta != Unknown.Type.ANY ? new Unknown(ta, null) : TemplateValue.ANY;
  }

  private static Unknown.Type typeOf(TemplateValue v) {
    return switch (v) {
      case Const c when c.value() instanceof String -> Unknown.Type.STRING;
      case Const c when c.value() instanceof Long || c.value() instanceof Double ->
          Unknown.Type.NUMBER;
      case Const c when c.value() instanceof Boolean -> Unknown.Type.BOOL;
      case OneOf o -> {
        Unknown.Type t = typeOf(o.choices().getFirst());
        for (Const c : o.choices()) {
          if (typeOf(c) != t) {
            yield Unknown.Type.ANY;
          }
        }
        yield t;
      }
      case Unknown u -> u.type();
      default -> Unknown.Type.ANY;
    };
  }

  // ---- macros ---------------------------------------------------------------------------------

  private TemplateValue callMacro(
      MacroValue mv,
      List<TemplateValue> args,
      Map<String, TemplateValue> kwargs,
      MacroValue caller,
      boolean generic) {
    uncalled.remove(mv.macro());
    if (macroDepth >= MAX_MACRO_DEPTH || exhausted) {
      return TemplateValue.STRING;
    }
    macroDepth++;
    try {
      Scope inner = new Scope(mv.scope());
      List<Param> params = mv.macro().params();
      Map<String, TemplateValue> extra = new LinkedHashMap<>(kwargs);
      for (int k = 0; k < params.size(); k++) {
        Param p = params.get(k);
        TemplateValue v;
        if (k < args.size()) {
          v = args.get(k);
        } else if (extra.containsKey(p.name())) {
          v = extra.remove(p.name());
        } else if (p.defaultValue() != null) {
          v = eval(p.defaultValue(), inner);
          if (generic) {
            v = join(v, TemplateValue.ANY);
          }
        } else {
          v = TemplateValue.ANY;
        }
        inner.vars.put(p.name(), v);
      }
      List<TemplateValue> varargs =
          args.size() > params.size() ? args.subList(params.size(), args.size()) : List.of();
      inner.vars.put("varargs", generic ? TemplateValue.ANY : new Seq(List.copyOf(varargs)));
      inner.vars.put("kwargs", generic ? TemplateValue.ANY : new Dict(extra));
      if (caller != null) {
        inner.vars.put("caller", caller);
      }
      return render(mv.macro().body(), inner);
    } finally {
      macroDepth--;
    }
  }

  // ---- expressions ----------------------------------------------------------------------------

  private TemplateValue eval(Expr e, Scope s) {
    if (tick()) {
      return TemplateValue.ANY;
    }
    TemplateValue v = evalInner(e, s);
    if (v instanceof Function f && CALL_ONLY.contains(f.name())) {
      pythonGlobal(e.at(), f.name(), "uses other than by calling");
    }
    return v;
  }

  private TemplateValue evalInner(Expr e, Scope s) {
    return switch (e) {
      case Name n -> name(n, s);
      case Literal l -> {
        if (l.value() instanceof String str && DUNDER.matcher(str).find()) {
          ssti(l.at(), Text.oneLine(str), "in a string literal");
        }
        yield new Const(l.value());
      }
      case ListLit l -> new Seq(evalAll(l.items(), s));
      case TupleLit t -> new Seq(evalAll(t.items(), s));
      case DictLit d -> dict(d, s);
      case Getattr g -> getattr(callee(g.obj(), s), g.name(), g.at());
      case Getitem gi -> getitem(gi, s);
      case Slice sl -> {
        evalOpt(sl.start(), s);
        evalOpt(sl.stop(), s);
        evalOpt(sl.step(), s);
        yield TemplateValue.ANY;
      }
      case Call c -> call(c, s, null);
      case Filter f -> filter(f, f.input() == null ? TemplateValue.ANY : eval(f.input(), s), s);
      case Test t -> {
        eval(t.input(), s);
        args(t.args(), s);
        if (t.name().contains("__")) {
          ssti(t.at(), t.name(), "as a test name");
        }
        yield TemplateValue.BOOL;
      }
      case Binary b -> binary(b, s);
      case Unary u -> unary(u, s);
      case CondExpr c -> {
        TemplateValue test = eval(c.test(), s);
        TemplateValue then = eval(c.then(), s);
        TemplateValue otherwise = c.otherwise() == null ? EMPTY : eval(c.otherwise(), s);
        Boolean known = truth(test);
        yield known == null ? join(then, otherwise) : known ? then : otherwise;
      }
      case NsRef r -> TemplateValue.ANY;
    };
  }

  private void evalOpt(Expr e, Scope s) {
    if (e != null) {
      eval(e, s);
    }
  }

  private List<TemplateValue> evalAll(List<Expr> items, Scope s) {
    List<TemplateValue> out = new ArrayList<>(items.size());
    for (Expr x : items) {
      out.add(eval(x, s));
    }
    return out;
  }

  private TemplateValue name(Name n, Scope s) {
    if (n.name().contains("__")) {
      ssti(n.at(), n.name(), "as a variable");
    }
    TemplateValue v = s.lookup(n.name());
    if (v != null) {
      return v;
    }
    if (PYTHON_GLOBALS.contains(n.name())) {
      pythonGlobal(n.at(), n.name(), "uses");
    }
    return switch (n.name()) {
      case "range",
          "dict",
          "namespace",
          "lipsum",
          "cycler",
          "joiner",
          "raise_exception",
          "strftime_now" ->
          new Function(n.name());
      default -> TemplateValue.ANY;
    };
  }

  /** Evaluates something about to be called or reached into, without the call-only report. */
  private TemplateValue callee(Expr e, Scope s) {
    if (e instanceof Name n) {
      if (tick()) {
        return TemplateValue.ANY;
      }
      return name(n, s);
    }
    return eval(e, s);
  }

  private TemplateValue dict(DictLit d, Scope s) {
    Map<String, TemplateValue> m = new LinkedHashMap<>();
    boolean known = true;
    for (int k = 0; k < d.keys().size(); k++) {
      TemplateValue key = eval(d.keys().get(k), s);
      TemplateValue val = eval(d.values().get(k), s);
      if (key instanceof Const c && c.value() instanceof String str) {
        m.put(str, val);
      } else {
        known = false;
      }
    }
    return known ? new Dict(m) : TemplateValue.ANY;
  }

  private TemplateValue getattr(TemplateValue obj, String name, int at) {
    checkName(name, at, "as an attribute");
    return switch (obj) {
      case Function f -> {
        pythonGlobal(at, f.name(), "reaches into");
        yield TemplateValue.ANY;
      }
      case Namespace ns -> ns.attrs.getOrDefault(name, TemplateValue.ANY);
      case Loop l -> loopAttr(l, name);
      case Const c when c.value() instanceof String -> new BoundMethod(c, name);
      case Dict d when d.entries().containsKey(name) && !DICT_METHODS.contains(name) ->
          d.entries().get(name);
      case Dict d -> new BoundMethod(d, name);
      default -> TemplateValue.ANY;
    };
  }

  private static final java.util.Set<String> DICT_METHODS =
      java.util.Set.of("items", "keys", "values", "get");

  private static TemplateValue loopAttr(Loop l, String name) {
    return switch (name) {
      case "index", "index0", "revindex", "revindex0", "length", "depth", "depth0" ->
          TemplateValue.NUMBER;
      case "first", "last" -> TemplateValue.BOOL;
      case "previtem", "nextitem" -> join(l.item(), EMPTY);
      default -> TemplateValue.ANY;
    };
  }

  private TemplateValue getitem(Getitem gi, Scope s) {
    TemplateValue obj = callee(gi.obj(), s);
    if (obj instanceof Function f) {
      pythonGlobal(gi.at(), f.name(), "reaches into");
      return TemplateValue.ANY;
    }
    if (gi.key() instanceof Slice sl) {
      TemplateValue a = sl.start() == null ? null : eval(sl.start(), s);
      TemplateValue b = sl.stop() == null ? null : eval(sl.stop(), s);
      TemplateValue c = sl.step() == null ? null : eval(sl.step(), s);
      return slice(obj, a, b, c);
    }
    TemplateValue key = eval(gi.key(), s);
    if (obj instanceof Dict && !(key instanceof Const) && !(key instanceof OneOf)) {
      // A lookup table the template wrote itself ({"string": "str"}[spec.type]): the one
      // getattr fallback it allows is a dict's own attribute, and whatever comes back is unknown,
      // so any further computed lookup on it is judged again.
      return TemplateValue.ANY;
    }
    checkKey(key, gi, gi.at());
    return item(obj, key);
  }

  private void checkKey(TemplateValue key, Getitem gi, int at) {
    switch (key) {
      case Const c -> {
        if (c.value() instanceof String str) {
          checkName(str, at, "as an item name");
        }
      }
      case OneOf o -> {
        for (Const c : o.choices()) {
          if (c.value() instanceof String str) {
            checkName(str, at, "as an item name");
          }
        }
      }
      case Unknown u when u.type() == Unknown.Type.NUMBER || u.type() == Unknown.Type.BOOL -> {}
      case Unknown u when u.keyOf() != null && u.keyOf().equals(fingerprint(gi.obj())) -> {}
      case Seq q -> {}
      default -> computed(at, "subscript [" + describe(gi.key()) + "]");
    }
  }

  private static String describe(Expr e) {
    String f = fingerprint(e);
    return f != null ? f : e.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  private static TemplateValue item(TemplateValue obj, TemplateValue key) {
    if (!(key instanceof Const k)) {
      return TemplateValue.ANY;
    }
    return switch (obj) {
      case Const c when c.value() instanceof String str && k.value() instanceof Long i -> {
        long idx = i < 0 ? str.length() + i : i;
        yield idx >= 0 && idx < str.length()
            ? new Const(String.valueOf(str.charAt((int) idx)))
            : TemplateValue.ANY;
      }
      case Seq q when k.value() instanceof Long i -> {
        long idx = i < 0 ? q.items().size() + i : i;
        yield idx >= 0 && idx < q.items().size() ? q.items().get((int) idx) : TemplateValue.ANY;
      }
      case Dict d when k.value() instanceof String str ->
          d.entries().getOrDefault(str, TemplateValue.ANY);
      case Namespace ns when k.value() instanceof String str ->
          ns.attrs.getOrDefault(str, TemplateValue.ANY);
      default -> TemplateValue.ANY;
    };
  }

  private static TemplateValue slice(
      TemplateValue obj, TemplateValue a, TemplateValue b, TemplateValue c) {
    Long start = a == null ? null : asLong(a);
    Long stop = b == null ? null : asLong(b);
    Long step = c == null ? Long.valueOf(1) : asLong(c);
    boolean known =
        (a == null || start != null) && (b == null || stop != null) && step != null && step != 0;
    if (obj instanceof Const k && k.value() instanceof String str && known) {
      List<Integer> idx = sliceIndices(str.length(), start, stop, step);
      StringBuilder sb = new StringBuilder();
      for (int i : idx) {
        sb.append(str.charAt(i));
      }
      return new Const(sb.toString());
    }
    if (obj instanceof Seq q && known) {
      List<TemplateValue> out = new ArrayList<>();
      for (int i : sliceIndices(q.items().size(), start, stop, step)) {
        out.add(q.items().get(i));
      }
      return new Seq(out);
    }
    if (obj instanceof Const k && k.value() instanceof String) {
      return TemplateValue.STRING;
    }
    return TemplateValue.ANY;
  }

  /** Python's slice.indices for a sequence of length n. */
  private static List<Integer> sliceIndices(int n, Long start, Long stop, long step) {
    long lo;
    long hi;
    if (step > 0) {
      lo = start == null ? 0 : clamp(start < 0 ? start + n : start, 0, n);
      hi = stop == null ? n : clamp(stop < 0 ? stop + n : stop, 0, n);
    } else {
      lo = start == null ? n - 1 : clamp(start < 0 ? start + n : start, -1, n - 1);
      hi = stop == null ? -1 : clamp(stop < 0 ? stop + n : stop, -1, n - 1);
    }
    List<Integer> out = new ArrayList<>();
    for (long i = lo; step > 0 ? i < hi : i > hi; i += step) {
      out.add((int) i);
      if (out.size() > MAX_FOLDED_CHARS) {
        break;
      }
    }
    return out;
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static Long asLong(TemplateValue v) {
    if (v instanceof Const c) {
      if (c.value() instanceof Long l) {
        return l;
      }
      if (c.value() instanceof Boolean b) {
        return b ? 1L : 0L;
      }
      if (c.value() == JinjaNode.None.NONE) {
        return null;
      }
    }
    return null;
  }

  /** Python truthiness of a known value, or null. */
  private static Boolean truth(TemplateValue v) {
    if (v instanceof Const c) {
      return switch (c.value()) {
        case String str -> !str.isEmpty();
        case Long l -> l != 0;
        case Double d -> d != 0;
        case Boolean b -> b;
        default -> false;
      };
    }
    if (v instanceof Seq q) {
      return !q.items().isEmpty();
    }
    return null;
  }

  /** Python's str() of a known scalar, or null when the judge does not fold it. */
  static String str(Const c) {
    return switch (c.value()) {
      case String s -> s;
      case Long l -> l.toString();
      case Boolean b -> b ? "True" : "False";
      case JinjaNode.None n -> "None";
      case Double d when d == Math.rint(d) && Math.abs(d) < 1e15 -> (long) (double) d + ".0";
      default -> null;
    };
  }

  // ---- calls, filters, operators --------------------------------------------------------------

  private record Evaluated(List<TemplateValue> args, Map<String, TemplateValue> kwargs) {
    TemplateValue arg(int i) {
      return i < args.size() ? args.get(i) : null;
    }
  }

  private Evaluated args(Args a, Scope s) {
    List<TemplateValue> args = evalAll(a.args(), s);
    Map<String, TemplateValue> kwargs = new LinkedHashMap<>();
    for (Kwarg k : a.kwargs()) {
      if (k.name().contains("__")) {
        ssti(k.at(), k.name(), "as a keyword argument");
      }
      kwargs.put(k.name(), eval(k.value(), s));
    }
    if (a.star() != null) {
      eval(a.star(), s);
      args = null;
    }
    if (a.doubleStar() != null) {
      eval(a.doubleStar(), s);
      kwargs = null;
    }
    return new Evaluated(
        args == null ? List.of() : args, kwargs == null ? new LinkedHashMap<>() : kwargs);
  }

  private TemplateValue call(Call c, Scope s, MacroValue caller) {
    TemplateValue fn = callee(c.fn(), s);
    Evaluated a = args(c.args(), s);
    return switch (fn) {
      case Function f -> callGlobal(f, a);
      case MacroValue m -> callMacro(m, a.args(), a.kwargs(), caller, false);
      case BoundMethod b -> method(b, a, c.at());
      case Loop l -> TemplateValue.STRING;
      default -> {
        if (c.fn() instanceof Getattr g
            && (g.name().equals("format") || g.name().equals("format_map"))) {
          computed(c.at(), "str." + g.name() + " on a string computed at render time");
        }
        if (caller != null) {
          uncalled.remove(caller.macro());
          callMacro(caller, List.of(), Map.of(), null, true);
        }
        yield TemplateValue.ANY;
      }
    };
  }

  private TemplateValue callGlobal(Function f, Evaluated a) {
    switch (f.name()) {
      case "range" -> {
        List<Long> ints = new ArrayList<>();
        for (TemplateValue v : a.args()) {
          Long l = asLong(v);
          if (l == null) {
            return TemplateValue.NUMBER;
          }
          ints.add(l);
        }
        long start = ints.size() >= 2 ? ints.get(0) : 0;
        long stop = ints.size() >= 2 ? ints.get(1) : ints.isEmpty() ? 0 : ints.get(0);
        long step = ints.size() >= 3 ? ints.get(2) : 1;
        if (step == 0 || ints.isEmpty() || ints.size() > 3) {
          return TemplateValue.NUMBER;
        }
        List<TemplateValue> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
          if (out.size() >= MAX_UNROLL) {
            return TemplateValue.NUMBER;
          }
          out.add(new Const(i));
        }
        return new Seq(out);
      }
      case "dict" -> {
        Map<String, TemplateValue> m = new LinkedHashMap<>();
        if (a.arg(0) instanceof Dict d) {
          m.putAll(d.entries());
        } else if (!a.args().isEmpty()) {
          return TemplateValue.ANY;
        }
        m.putAll(a.kwargs());
        return new Dict(m);
      }
      case "namespace" -> {
        Namespace ns = new Namespace();
        if (a.arg(0) instanceof Dict d) {
          ns.attrs.putAll(d.entries());
        }
        ns.attrs.putAll(a.kwargs());
        namespaces.add(ns);
        return ns;
      }
      case "strftime_now" -> {
        return TemplateValue.STRING;
      }
      default -> {
        return TemplateValue.ANY;
      }
    }
  }

  private TemplateValue method(BoundMethod b, Evaluated a, int at) {
    if (b.self() instanceof Dict d) {
      return switch (b.name()) {
        case "items" -> {
          List<TemplateValue> out = new ArrayList<>();
          d.entries().forEach((k, v) -> out.add(new Seq(List.of(new Const(k), v))));
          yield new Seq(out);
        }
        case "keys" -> new Seq(elements(d));
        case "values" -> new Seq(List.copyOf(d.entries().values()));
        case "get" ->
            a.arg(0) instanceof Const k && k.value() instanceof String ks
                ? d.entries().getOrDefault(ks, a.arg(1) == null ? EMPTY : a.arg(1))
                : TemplateValue.ANY;
        default -> TemplateValue.ANY;
      };
    }
    if (!(b.self() instanceof Const sc) || !(sc.value() instanceof String self)) {
      return TemplateValue.ANY;
    }
    String s0 = a.arg(0) instanceof Const c ? str(c) : null;
    String s1 = a.arg(1) instanceof Const c ? str(c) : null;
    return switch (b.name()) {
      case "lower" -> new Const(self.toLowerCase(Locale.ROOT));
      case "upper" -> new Const(self.toUpperCase(Locale.ROOT));
      case "strip" ->
          a.args().isEmpty() ? new Const(pyStrip(self, true, true)) : TemplateValue.STRING;
      case "lstrip" ->
          a.args().isEmpty() ? new Const(pyStrip(self, true, false)) : TemplateValue.STRING;
      case "rstrip" ->
          a.args().isEmpty() ? new Const(pyStrip(self, false, true)) : TemplateValue.STRING;
      case "title", "capitalize", "swapcase", "casefold" -> new Const(caseFold(b.name(), self));
      case "replace" ->
          s0 != null && s1 != null && a.args().size() == 2
              ? capped(self.replace(s0, s1))
              : TemplateValue.STRING;
      case "join" -> join(self, a.arg(0), null, at);
      case "format" -> strFormat(self, a, at);
      case "format_map" -> strFormat(self, new Evaluated(List.of(), mapArg(a.arg(0))), at);
      case "split" -> {
        if (a.args().isEmpty() || s0 == null || s0.isEmpty() || a.args().size() > 1) {
          yield TemplateValue.ANY;
        }
        List<TemplateValue> parts = new ArrayList<>();
        for (String p : self.split(Pattern.quote(s0), -1)) {
          parts.add(new Const(p));
        }
        yield new Seq(parts);
      }
      case "startswith", "endswith", "isdigit", "isalpha", "isspace" -> TemplateValue.BOOL;
      case "find", "count", "index", "rfind" -> TemplateValue.NUMBER;
      default -> TemplateValue.ANY;
    };
  }

  private static Map<String, TemplateValue> mapArg(TemplateValue v) {
    return v instanceof Dict d ? new LinkedHashMap<>(d.entries()) : new LinkedHashMap<>();
  }

  private static String pyStrip(String s, boolean left, boolean right) {
    int a = 0;
    int b = s.length();
    while (left && a < b && JinjaLexer.isSpace(s.charAt(a))) {
      a++;
    }
    while (right && b > a && JinjaLexer.isSpace(s.charAt(b - 1))) {
      b--;
    }
    return s.substring(a, b);
  }

  private static String caseFold(String how, String s) {
    return switch (how) {
      case "capitalize" ->
          s.isEmpty()
              ? s
              : s.substring(0, 1).toUpperCase(Locale.ROOT)
                  + s.substring(1).toLowerCase(Locale.ROOT);
      case "swapcase" -> {
        StringBuilder sb = new StringBuilder();
        s.codePoints()
            .forEach(
                cp ->
                    sb.appendCodePoint(
                        Character.isUpperCase(cp)
                            ? Character.toLowerCase(cp)
                            : Character.toUpperCase(cp)));
        yield sb.toString();
      }
      case "casefold" -> s.toLowerCase(Locale.ROOT);
      default -> {
        StringBuilder sb = new StringBuilder();
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
          char ch = s.charAt(i);
          sb.append(prevCased ? Character.toLowerCase(ch) : Character.toUpperCase(ch));
          prevCased = Character.isLetter(ch);
        }
        yield sb.toString();
      }
    };
  }

  private static TemplateValue capped(String s) {
    return s.length() > MAX_FOLDED_CHARS ? TemplateValue.STRING : new Const(s);
  }

  /** {@code sep.join(items)} / {@code items|join(sep, attribute=)}. */
  private TemplateValue join(String sep, TemplateValue items, TemplateValue attribute, int at) {
    if (attribute != null) {
      checkPath(attribute, at, "join(attribute=)");
      return TemplateValue.STRING;
    }
    List<TemplateValue> parts = items == null ? null : elements(items);
    if (parts == null || sep == null) {
      return TemplateValue.STRING;
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < parts.size(); k++) {
      String p = parts.get(k) instanceof Const c ? str(c) : null;
      if (p == null) {
        return TemplateValue.STRING;
      }
      if (k > 0) {
        sb.append(sep);
      }
      sb.append(p);
      if (sb.length() > MAX_FOLDED_CHARS) {
        return TemplateValue.STRING;
      }
    }
    return new Const(sb.toString());
  }

  /**
   * {@code str.format}: each replacement field may reach attributes ({@code {0.__class__}}) and
   * items, so their names are judged; the result is folded when every field is plain.
   */
  private TemplateValue strFormat(String fmt, Evaluated a, int at) {
    StringBuilder sb = new StringBuilder();
    boolean known = true;
    int auto = 0;
    int i = 0;
    while (i < fmt.length()) {
      char ch = fmt.charAt(i);
      if (ch == '}' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') {
        sb.append('}');
        i += 2;
        continue;
      }
      if (ch != '{') {
        sb.append(ch);
        i++;
        continue;
      }
      if (i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') {
        sb.append('{');
        i += 2;
        continue;
      }
      int close = fieldEnd(fmt, i + 1);
      if (close < 0) {
        return TemplateValue.STRING; // Python raises; nothing rendered
      }
      String field = fmt.substring(i + 1, close);
      i = close + 1;
      int cut = field.length();
      for (int k = 0; k < field.length(); k++) {
        if (field.charAt(k) == '!' || field.charAt(k) == ':') {
          cut = k;
          break;
        }
      }
      String name = field.substring(0, cut);
      String rest = field.substring(cut);
      int head = 0;
      while (head < name.length() && name.charAt(head) != '.' && name.charAt(head) != '[') {
        head++;
      }
      String arg = name.substring(0, head);
      String chain = name.substring(head);
      for (String part : chain.split("[.\\[\\]]", -1)) {
        if (!part.isEmpty()) {
          checkName(part, at, "in a str.format field");
        }
      }
      if (rest.contains("{")) {
        for (String part : rest.split("[{}.\\[\\]!:]", -1)) {
          if (!part.isEmpty()) {
            checkName(part, at, "in a str.format field");
          }
        }
      }
      TemplateValue v;
      if (arg.isEmpty()) {
        v = a.arg(auto++);
      } else if (arg.chars().allMatch(Character::isDigit)) {
        v = a.arg(Integer.parseInt(arg.length() > 6 ? "999999" : arg));
      } else {
        v = a.kwargs().get(arg);
      }
      String text = v instanceof Const c && chain.isEmpty() && rest.isEmpty() ? str(c) : null;
      if (text == null) {
        known = false;
      } else {
        sb.append(text);
      }
    }
    return known ? capped(sb.toString()) : TemplateValue.STRING;
  }

  private static int fieldEnd(String fmt, int from) {
    int depth = 1;
    for (int k = from; k < fmt.length(); k++) {
      char ch = fmt.charAt(k);
      if (ch == '{') {
        depth++;
      } else if (ch == '}' && --depth == 0) {
        return k;
      }
    }
    return -1;
  }

  /** Python's {@code fmt % args} for the conversions the judge folds; STRING otherwise. */
  private static TemplateValue percentFormat(String fmt, TemplateValue args) {
    List<TemplateValue> list =
        args instanceof Seq q ? q.items() : args == null ? List.of() : List.of(args);
    Map<String, TemplateValue> named = args instanceof Dict d ? d.entries() : Map.of();
    StringBuilder sb = new StringBuilder();
    int next = 0;
    for (int i = 0; i < fmt.length(); i++) {
      char ch = fmt.charAt(i);
      if (ch != '%') {
        sb.append(ch);
        continue;
      }
      if (++i >= fmt.length()) {
        return TemplateValue.STRING;
      }
      TemplateValue v;
      if (fmt.charAt(i) == '%') {
        sb.append('%');
        continue;
      }
      if (fmt.charAt(i) == '(') {
        int close = fmt.indexOf(')', i);
        if (close < 0 || close + 1 >= fmt.length()) {
          return TemplateValue.STRING;
        }
        v = named.get(fmt.substring(i + 1, close));
        i = close + 1;
      } else {
        v = next < list.size() ? list.get(next++) : null;
      }
      char conv = fmt.charAt(i);
      if (!(v instanceof Const c)) {
        return TemplateValue.STRING;
      }
      String piece =
          switch (conv) {
            case 's' -> str(c);
            case 'c' ->
                c.value() instanceof Long l && l >= 0 && l <= Character.MAX_CODE_POINT
                    ? Character.toString((int) (long) l)
                    : c.value() instanceof String s1 && s1.codePointCount(0, s1.length()) == 1
                        ? s1
                        : null;
            case 'd', 'i' -> c.value() instanceof Long l ? l.toString() : null;
            case 'x' -> c.value() instanceof Long l ? Long.toHexString(l) : null;
            case 'X' ->
                c.value() instanceof Long l ? Long.toHexString(l).toUpperCase(Locale.ROOT) : null;
            case 'o' -> c.value() instanceof Long l ? Long.toOctalString(l) : null;
            default -> null;
          };
      if (piece == null) {
        return TemplateValue.STRING;
      }
      sb.append(piece);
      if (sb.length() > MAX_FOLDED_CHARS) {
        return TemplateValue.STRING;
      }
    }
    return new Const(sb.toString());
  }

  /** Applies a filter chain whose head has a null input to {@code v}. */
  private TemplateValue filterChain(Expr chain, TemplateValue v, Scope s) {
    if (chain instanceof Filter f) {
      TemplateValue in = f.input() == null ? v : filterChain(f.input(), v, s);
      return filter(f, in, s);
    }
    return v;
  }

  private TemplateValue filter(Filter f, TemplateValue in, Scope s) {
    Evaluated a = args(f.args(), s);
    int at = f.at();
    if (f.name().contains("__")) {
      ssti(at, f.name(), "as a filter name");
    }
    TemplateValue attribute = a.kwargs().get("attribute");
    switch (f.name()) {
      case "attr" -> {
        TemplateValue n = a.arg(0);
        checkNameValue(n == null ? TemplateValue.ANY : n, at, "attr()");
        return n instanceof Const c && c.value() instanceof String str
            ? attrOf(in, str)
            : TemplateValue.ANY;
      }
      case "map" -> {
        if (attribute != null) {
          checkPath(attribute, at, "map(attribute=)");
        } else if (a.arg(0) != null) {
          filterByName(a, 0, at, "map()");
        } else if (f.args().doubleStar() != null) {
          computed(at, "map(**kwargs)");
        }
        return TemplateValue.ANY;
      }
      case "selectattr", "rejectattr" -> {
        checkPath(a.arg(0) == null ? TemplateValue.ANY : a.arg(0), at, f.name() + "()");
        if (a.arg(1) != null) {
          testByName(a.arg(1), at, f.name() + "()");
        }
        return TemplateValue.ANY;
      }
      case "select", "reject" -> {
        if (a.arg(0) != null) {
          testByName(a.arg(0), at, f.name() + "()");
        }
        return TemplateValue.ANY;
      }
      case "groupby" -> {
        TemplateValue by = attribute != null ? attribute : a.arg(0);
        checkPath(by == null ? TemplateValue.ANY : by, at, "groupby()");
        return TemplateValue.ANY;
      }
      case "sum", "sort", "unique", "min", "max" -> {
        if (attribute != null) {
          checkPath(attribute, at, f.name() + "(attribute=)");
        }
        if (f.name().equals("sum") && a.arg(1) != null) {
          checkPath(a.arg(1), at, "sum(attribute)");
        }
        if (f.name().equals("sort") && a.arg(2) != null) {
          checkPath(a.arg(2), at, "sort(attribute)");
        }
        if (f.name().equals("unique") && a.arg(1) != null) {
          checkPath(a.arg(1), at, "unique(attribute)");
        }
        return f.name().equals("sum") ? TemplateValue.NUMBER : TemplateValue.ANY;
      }
      case "join" -> {
        TemplateValue sep = a.arg(0) == null ? new Const("") : a.arg(0);
        TemplateValue attr = attribute != null ? attribute : a.arg(1);
        return sep instanceof Const c && str(c) != null
            ? join(str(c), in, attr, at)
            : join(null, in, attr, at);
      }
      case "format" -> {
        if (in instanceof Const c && c.value() instanceof String fmt) {
          TemplateValue args = a.kwargs().isEmpty() ? new Seq(a.args()) : new Dict(a.kwargs());
          return percentFormat(fmt, args);
        }
        return TemplateValue.STRING;
      }
      case "replace" -> {
        String old = a.arg(0) instanceof Const c ? str(c) : null;
        String rep = a.arg(1) instanceof Const c ? str(c) : null;
        if (in instanceof Const c && str(c) != null && old != null && rep != null) {
          return a.arg(2) == null ? capped(str(c).replace(old, rep)) : TemplateValue.STRING;
        }
        return TemplateValue.STRING;
      }
      case "lower", "upper", "capitalize", "title", "trim", "string", "safe" -> {
        if (in instanceof Const c && str(c) != null) {
          String v = str(c);
          return switch (f.name()) {
            case "lower" -> new Const(v.toLowerCase(Locale.ROOT));
            case "upper" -> new Const(v.toUpperCase(Locale.ROOT));
            case "capitalize", "title" -> new Const(caseFold(f.name(), v));
            case "trim" ->
                a.arg(0) == null ? new Const(pyStrip(v, true, true)) : TemplateValue.STRING;
            default -> new Const(v);
          };
        }
        if (in instanceof OneOf o) {
          TemplateValue out = null;
          for (Const c : o.choices()) {
            TemplateValue one = filter(f, c, s);
            out = out == null ? one : join(out, one);
          }
          return out;
        }
        return TemplateValue.STRING;
      }
      case "reverse" -> {
        if (in instanceof Const c && c.value() instanceof String v) {
          return new Const(new StringBuilder(v).reverse().toString());
        }
        if (in instanceof Seq q) {
          List<TemplateValue> r = new ArrayList<>(q.items());
          java.util.Collections.reverse(r);
          return new Seq(r);
        }
        return TemplateValue.ANY;
      }
      case "list" -> {
        List<TemplateValue> items = elements(in);
        return items == null ? TemplateValue.ANY : new Seq(items);
      }
      case "first", "last" -> {
        List<TemplateValue> items = elements(in);
        if (items == null || items.isEmpty()) {
          return TemplateValue.ANY;
        }
        return f.name().equals("first") ? items.getFirst() : items.getLast();
      }
      case "items", "dictsort" -> {
        if (in instanceof Dict d) {
          return method(new BoundMethod(d, "items"), a, at);
        }
        return TemplateValue.ANY;
      }
      case "default", "d" -> {
        TemplateValue dflt = a.arg(0) == null ? EMPTY : a.arg(0);
        return in instanceof Unknown || (in instanceof Const c && c.value() == JinjaNode.None.NONE)
            ? join(in, dflt)
            : in;
      }
      case "length", "count", "wordcount", "int", "float", "abs", "round" -> {
        return TemplateValue.NUMBER;
      }
      case "tojson",
          "escape",
          "e",
          "forceescape",
          "indent",
          "center",
          "truncate",
          "striptags",
          "urlencode",
          "wordwrap",
          "xmlattr",
          "pprint",
          "filesizeformat",
          "urlize" -> {
        return TemplateValue.STRING;
      }
      default -> {
        return TemplateValue.ANY;
      }
    }
  }

  private static TemplateValue attrOf(TemplateValue in, String name) {
    return switch (in) {
      case Namespace ns -> ns.attrs.getOrDefault(name, TemplateValue.ANY);
      case Dict d -> d.entries().getOrDefault(name, TemplateValue.ANY);
      default -> TemplateValue.ANY;
    };
  }

  /** {@code map('attr', 'x')}: a filter chosen by name, and what it is given. */
  private void filterByName(Evaluated a, int first, int at, String how) {
    TemplateValue n = a.arg(first);
    for (Const c : constants(n)) {
      if (c == null || !(c.value() instanceof String name)) {
        computed(at, how + " with a filter chosen at render time");
        return;
      }
      if (name.contains("__")) {
        ssti(at, name, how);
      }
      switch (name) {
        case "attr" ->
            checkNameValue(
                a.arg(first + 1) == null ? TemplateValue.ANY : a.arg(first + 1), at, how);
        case "map", "selectattr", "rejectattr", "groupby", "sum", "sort", "unique", "join" -> {
          TemplateValue attribute = a.kwargs().get("attribute");
          if (attribute != null) {
            checkPath(attribute, at, how);
          }
          for (int k = first + 1; k < a.args().size(); k++) {
            if (a.args().get(k) instanceof Const cc && cc.value() instanceof String) {
              checkPath(a.args().get(k), at, how);
            }
          }
        }
        default -> {}
      }
    }
  }

  private void testByName(TemplateValue n, int at, String how) {
    for (Const c : constants(n)) {
      if (c == null || !(c.value() instanceof String name)) {
        computed(at, how + " with a test chosen at render time");
        return;
      }
      if (name.contains("__")) {
        ssti(at, name, how);
      }
    }
  }

  private TemplateValue binary(Binary b, Scope s) {
    TemplateValue l = eval(b.left(), s);
    TemplateValue r = eval(b.right(), s);
    return switch (b.op()) {
      case "~" -> lift(l, r, (x, y) -> concat(x, y, true));
      case "+" -> plus(l, r);
      case "*" -> lift(l, r, TemplateJudge::times);
      case "%" -> {
        if (l instanceof Const c && c.value() instanceof String fmt) {
          yield percentFormat(fmt, r);
        }
        yield typeOf(l) == Unknown.Type.STRING ? TemplateValue.STRING : TemplateValue.ANY;
      }
      case "-", "/", "//", "**" -> TemplateValue.NUMBER;
      case "and", "or" -> {
        Boolean t = truth(l);
        if (t != null) {
          yield b.op().equals("and") ? (t ? r : l) : (t ? l : r);
        }
        yield join(l, r);
      }
      default -> TemplateValue.BOOL; // comparisons, in, not in
    };
  }

  private static TemplateValue plus(TemplateValue l, TemplateValue r) {
    if (l instanceof Seq x && r instanceof Seq y) {
      List<TemplateValue> out = new ArrayList<>(x.items());
      out.addAll(y.items());
      return out.size() > MAX_FOLDED_CHARS ? TemplateValue.ANY : new Seq(out);
    }
    return lift(l, r, (x, y) -> concat(x, y, false));
  }

  private static TemplateValue concat(Const x, Const y, boolean tilde) {
    if (!tilde) {
      if (x.value() instanceof Long a && y.value() instanceof Long b) {
        return new Const(a + b);
      }
      if (!(x.value() instanceof String) || !(y.value() instanceof String)) {
        return TemplateValue.ANY;
      }
    }
    String a = str(x);
    String b = str(y);
    return a == null || b == null ? TemplateValue.STRING : capped(a + b);
  }

  private static TemplateValue times(Const x, Const y) {
    if (x.value() instanceof String str && y.value() instanceof Long n) {
      return str.length() * Math.max(0, n) > MAX_FOLDED_CHARS
          ? TemplateValue.STRING
          : new Const(str.repeat((int) Math.max(0, n)));
    }
    if (x.value() instanceof Long && y.value() instanceof String) {
      return times(y, x);
    }
    if (x.value() instanceof Long a && y.value() instanceof Long b) {
      return new Const(a * b);
    }
    return TemplateValue.NUMBER;
  }

  private interface Fold {
    TemplateValue apply(Const x, Const y);
  }

  /** Applies a binary fold over every pair of constants; the unknown result for anything else. */
  private static TemplateValue lift(TemplateValue l, TemplateValue r, Fold f) {
    List<Const> a = l instanceof Const c ? List.of(c) : l instanceof OneOf o ? o.choices() : null;
    List<Const> b = r instanceof Const c ? List.of(c) : r instanceof OneOf o ? o.choices() : null;
    if (a == null || b == null) {
      boolean stringy = typeOf(l) == Unknown.Type.STRING || typeOf(r) == Unknown.Type.STRING;
      boolean numeric = typeOf(l) == Unknown.Type.NUMBER && typeOf(r) == Unknown.Type.NUMBER;
      return stringy ? TemplateValue.STRING : numeric ? TemplateValue.NUMBER : TemplateValue.ANY;
    }
    TemplateValue out = null;
    for (Const x : a) {
      for (Const y : b) {
        TemplateValue one = f.apply(x, y);
        out = out == null ? one : join(out, one);
      }
    }
    return out;
  }

  private TemplateValue unary(Unary u, Scope s) {
    TemplateValue v = eval(u.operand(), s);
    return switch (u.op()) {
      case "not" -> TemplateValue.BOOL;
      case "-" ->
          v instanceof Const c && c.value() instanceof Long l
              ? new Const(-l)
              : TemplateValue.NUMBER;
      default -> v instanceof Const c && c.value() instanceof Long ? v : TemplateValue.NUMBER;
    };
  }
}
