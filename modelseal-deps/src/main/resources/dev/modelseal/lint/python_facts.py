# ModelSeal lint: extracts the AST facts the Java rules need from Python source files.
# Stdlib only; never imports or runs the files it reads. Reads NUL-separated paths on stdin and
# writes one JSON object per file per line on stdout. The rules are decided by the caller.
import ast
import json
import sys

MAX_BYTES = 2 * 1024 * 1024
MAX_CALLS = 50000
MAX_CONST = 200


def dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if isinstance(node, ast.Call):
        inner = dotted(node.func)
        if inner is not None:
            parts.append(inner + "()")
            return ".".join(reversed(parts))
    return None


def const(node):
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, str):
            return v[:MAX_CONST]
        if v is None or isinstance(v, (bool, int, float)):
            return v
    return None


def refs(node):
    return sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)})


def target_names(node):
    return sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)})


class Facts(ast.NodeVisitor):
    def __init__(self):
        self.aliases = {}
        self.bound = set()
        self.calls = []
        self.funcs = []
        self.assigns = []
        self.consts = []
        self.stack = [-1]

    def func(self):
        return self.stack[-1]

    def visit_Import(self, node):
        for a in node.names:
            if a.asname:
                self.aliases[a.asname] = a.name
            else:
                root = a.name.split(".")[0]
                self.aliases[root] = root

    def visit_ImportFrom(self, node):
        mod = ("." * node.level) + (node.module or "")
        for a in node.names:
            self.aliases[a.asname or a.name] = mod + "." + a.name if mod else a.name

    def _def(self, node):
        self.bound.add(node.name)
        a = node.args
        params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
        if a.vararg:
            params.append(a.vararg.arg)
        if a.kwarg:
            params.append(a.kwarg.arg)
        decos = []
        for d in node.decorator_list:
            raw = dotted(d.func if isinstance(d, ast.Call) else d)
            decos.append({"name": raw, "raw": raw,
                          "call": isinstance(d, ast.Call), "line": d.lineno})
            self.visit(d)
        for d in a.defaults + a.kw_defaults:
            if d is not None:
                self.visit(d)
        self.funcs.append({"name": node.name, "line": node.lineno, "params": params,
                           "decorators": decos, "parent": self.func()})
        self.stack.append(len(self.funcs) - 1)
        self._body(node.body)
        self.stack.pop()

    visit_FunctionDef = _def
    visit_AsyncFunctionDef = _def

    def visit_ClassDef(self, node):
        self.bound.add(node.name)
        for d in node.decorator_list + node.bases + node.keywords:
            self.visit(d)
        self._body(node.body)

    def visit_Lambda(self, node):
        self.visit(node.body)

    def _body(self, body):
        for i, stmt in enumerate(body):
            # A docstring is prose, not a URL or setting the code uses.
            if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue
            self.visit(stmt)

    def visit_Module(self, node):
        self._body(node.body)

    def _assign(self, targets, value, line):
        names = []
        for t in targets:
            names.extend(target_names(t))
        self.assigns.append({"func": self.func(), "line": line, "targets": sorted(set(names)),
                             "refs": refs(value) if value is not None else []})
        if self.func() == -1:
            self.bound.update(names)

    def visit_Assign(self, node):
        self._assign(node.targets, node.value, node.lineno)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._assign([node.target], node.value, node.lineno)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._assign([node.target], node.value, node.lineno)
        self.generic_visit(node)

    def visit_NamedExpr(self, node):
        self._assign([node.target], node.value, node.lineno)
        self.generic_visit(node)

    def visit_For(self, node):
        self._assign([node.target], node.iter, node.lineno)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node):
        if node.optional_vars is not None:
            self._assign([node.optional_vars], node.context_expr, node.context_expr.lineno)
        self.generic_visit(node)

    def visit_Constant(self, node):
        v = node.value
        if isinstance(v, str) and (v.startswith("http://") or v == "MLXLM_USE_MODELSCOPE"):
            self.consts.append({"line": node.lineno, "col": node.col_offset + 1,
                                "value": v[:MAX_CONST], "func": self.func()})

    def visit_Call(self, node):
        args = []
        for a in node.args:
            star = isinstance(a, ast.Starred)
            v = a.value if star else a
            args.append({"kw": None, "star": star, "isconst": isinstance(v, ast.Constant),
                         "const": const(v), "dotted": dotted(v), "refs": refs(v)})
        for k in node.keywords:
            args.append({"kw": k.arg, "star": k.arg is None,
                         "isconst": isinstance(k.value, ast.Constant), "const": const(k.value),
                         "dotted": dotted(k.value), "refs": refs(k.value)})
        self.calls.append({"raw": dotted(node.func), "line": node.lineno,
                           "col": node.col_offset + 1, "func": self.func(), "args": args})
        self.generic_visit(node)


def resolve(raw, aliases, bound):
    if raw is None:
        return None
    root, _, rest = raw.partition(".")
    if root in aliases:
        full = aliases[root]
        return full + ("." + rest if rest else "")
    if root in bound:
        return None
    return raw


def facts(path):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        return {"file": path, "error": "lint.unreadable: " + (e.strerror or str(e))}
    if len(data) > MAX_BYTES:
        return {"file": path, "error": "limit.max-python-file-bytes: larger than %d bytes" % MAX_BYTES}
    try:
        tree = ast.parse(data, filename=path)
    except SyntaxError as e:
        return {"file": path, "error": "lint.syntax-error at line %s: %s" % (e.lineno, e.msg)}
    except (ValueError, RecursionError, MemoryError) as e:
        return {"file": path, "error": "lint.unparsable: " + type(e).__name__}
    v = Facts()
    try:
        v.visit(tree)
    except RecursionError:
        return {"file": path, "error": "limit.max-python-nesting: nested too deep"}
    if len(v.calls) > MAX_CALLS:
        return {"file": path, "error": "limit.max-python-calls: more than %d calls" % MAX_CALLS}
    for c in v.calls:
        c["name"] = resolve(c["raw"], v.aliases, v.bound)
        for a in c["args"]:
            a["dotted"] = resolve(a["dotted"], v.aliases, v.bound)
    for fn in v.funcs:
        for d in fn["decorators"]:
            d["name"] = resolve(d["name"], v.aliases, v.bound)
    return {"file": path, "aliases": v.aliases, "calls": v.calls, "functions": v.funcs,
            "assigns": v.assigns, "consts": v.consts}


def main():
    data = sys.stdin.buffer.read()
    out = sys.stdout
    for raw in data.split(b"\0"):
        if not raw:
            continue
        path = raw.decode("utf-8", "surrogateescape")
        rec = facts(path)
        rec["file"] = raw.decode("utf-8", "replace")
        out.write(json.dumps(rec, ensure_ascii=True))
        out.write("\n")
    out.flush()


if __name__ == "__main__":
    sys.setrecursionlimit(3000)
    main()
