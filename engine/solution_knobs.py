"""Reference functions as a learner should read them: without the knobs that make the detectors' mistakes.

Several references take keyword-only "knobs" (``order="ifgo"``, ``g_sigmoid=False``...) so that the detectors can
build the classic mistakes from the same code. A study solution shows the reference with every knob at its
default: the parameter goes, its uses become the default value, and what that decides is folded away (``if
local == "h":`` keeps its first branch, ``x if False else y`` is ``y``). A knob that some call in the solution sets
to another value stays. Functions that change are printed again from their syntax tree (their comments go; their
docstrings lose the paragraphs about the knobs); the others keep their source text.
"""

from __future__ import annotations

import ast
import inspect
import io
import operator
import re
import textwrap
import tokenize
from collections.abc import Callable
from typing import Any

Scalar = str | bool | int | float | None  # what a knob's default may be

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


def _knobs(fn: ast.FunctionDef) -> dict[str, Scalar]:
    """The keyword-only parameters with a literal default (a number, string, bool or None), and their defaults."""
    knobs: dict[str, Scalar] = {}
    for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
        try:
            value = ast.literal_eval(default) if default is not None else ...
        except ValueError:
            continue
        if isinstance(value, str | bool | int | float) or value is None:
            knobs[arg.arg] = value
    rebound = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    rebound |= {a.arg for n in ast.walk(fn) if isinstance(n, ast.Lambda | ast.FunctionDef) and n is not fn
                for a in ast.walk(n.args) if isinstance(a, ast.arg)}
    return {k: v for k, v in knobs.items() if k not in rebound}


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _is_bool(node: ast.expr) -> bool:
    """An expression whose value is a bool and that has no side effects worth keeping."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, ast.Compare):
        return all(isinstance(o, ast.Name | ast.Constant | ast.Subscript | ast.Attribute)
                   for o in (node.left, *node.comparators))
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not) and _is_bool(node.operand)
    return isinstance(node, ast.BoolOp) and all(_is_bool(v) for v in node.values)


class _Specialise(ast.NodeTransformer):
    """Puts each knob's default in place of its name and folds what becomes constant."""

    def __init__(self, values: dict[str, Scalar], drop: dict[str, set[str]]) -> None:
        self.values = values  # this function's knobs that go
        self.drop = drop  # callee -> its knobs that go (their keywords are dropped from calls)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            constant = ast.copy_location(ast.Constant(self.values[node.id]), node)
            constant.from_knob = True  # type: ignore[attr-defined]
            return constant
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in self.drop:
            node.keywords = [k for k in node.keywords if k.arg not in self.drop[node.func.id]]
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Constant):
            return ast.copy_location(ast.Constant(not node.operand.value), node)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        operands = [node.left, *node.comparators]
        if len(node.ops) == 1 and type(node.ops[0]) in _COMPARE and all(isinstance(o, ast.Constant) for o in operands):
            left, right = (o.value for o in operands if isinstance(o, ast.Constant))
            return ast.copy_location(ast.Constant(bool(_COMPARE[type(node.ops[0])](left, right))), node)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        if not all(_is_bool(v) for v in node.values):
            return node
        neutral = isinstance(node.op, ast.And)  # True and x is x; False or x is x
        if any(isinstance(v, ast.Constant) and v.value is not neutral for v in node.values):
            return ast.copy_location(ast.Constant(not neutral), node)
        rest = [v for v in node.values if not isinstance(v, ast.Constant)]
        if not rest:
            return ast.copy_location(ast.Constant(neutral), node)
        return rest[0] if len(rest) == 1 else ast.copy_location(ast.BoolOp(node.op, rest), node)

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)  # a sign knob at its default: 1.0 * x is x
        if isinstance(node.op, ast.Mult):
            for one, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(one, ast.Constant) and getattr(one, "from_knob", False) and _same(one.value, 1.0):
                    return other
        return node

    def visit_If(self, node: ast.If) -> Any:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node


def _without_knob_paragraphs(doc: str, gone: set[str]) -> str:
    """The docstring without the paragraphs (after the first) that speak of the knobs that went."""
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    keep = [paragraphs[0]] + [p for p in paragraphs[1:]
                              if "knob" not in p and not any(f"``{g}``" in p or f"{g}=" in p for g in gone)]
    return "\n\n".join(keep)


def _fill_empty(fn: ast.FunctionDef) -> None:
    """A block that folding emptied gets a ``pass``."""
    for node in ast.walk(fn):
        if isinstance(getattr(node, "body", None), list) and not node.body:  # type: ignore[attr-defined]
            node.body.append(ast.Pass())  # type: ignore[attr-defined]


def without_knobs(sources: dict[str, str]) -> dict[str, str]:
    """``sources`` (function name -> its source, callees first) with the knobs at their defaults and gone."""
    trees = {name: ast.parse(textwrap.dedent(src)).body[0] for name, src in sources.items()}
    fns = {n: t for n, t in trees.items() if isinstance(t, ast.FunctionDef)}
    before = {n: ast.dump(f) for n, f in fns.items()}
    gone_kwargs = _drop_passed_on_kwargs(trees, fns)
    knobs = {n: _knobs(f) for n, f in fns.items()}
    # A knob stays if a call in the solution sets it to anything but its default (passing on a caller's own knob
    # that goes, order=order, passes the default), or if its function is used other than by calling it.
    keep: dict[str, set[str]] = {n: set() for n in fns}
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            caller = getattr(tree, "name", "")
            own = {k: v for k, v in knobs.get(caller, {}).items() if k not in keep.get(caller, set())}
            for name, kept in _kept_by(tree, fns, knobs, own).items():
                if not kept <= keep[name]:
                    keep[name] |= kept
                    changed = True
    drop = {n: set(knobs[n]) - keep[n] for n in fns}
    out = dict(sources)
    for name, fn in fns.items():
        gone = drop[name] | gone_kwargs.get(name, set())
        new = _Specialise({k: v for k, v in knobs[name].items() if k in gone}, drop).visit(fn)
        assert isinstance(new, ast.FunctionDef)
        pairs = [(a, d) for a, d in zip(new.args.kwonlyargs, new.args.kw_defaults, strict=True) if a.arg not in gone]
        new.args.kwonlyargs, new.args.kw_defaults = [a for a, _ in pairs], [d for _, d in pairs]
        _fill_empty(new)
        if ast.dump(new) == before[name]:
            continue
        doc = ast.get_docstring(new, clean=False)
        if doc is not None and gone:
            lines = _without_knob_paragraphs(doc, gone).split("\n")
            text = "\n".join([lines[0], *(f"    {line}" if line else "" for line in lines[1:])])
            new.body[0] = ast.Expr(ast.Constant(text + ("\n    " if len(lines) > 1 else "")))
        text = _wrap_signature(ast.unparse(ast.fix_missing_locations(new)))
        out[name] = "\n".join(_wrap(line) for line in text.split("\n"))
    return out


def _drop_passed_on_kwargs(trees: dict[str, ast.stmt], fns: dict[str, ast.FunctionDef]) -> dict[str, set[str]]:
    """Take away each ``**knobs`` parameter that a function only passes on (``f(..., **knobs)``) and that no call in
    the solution fills: at its default it is empty. Returns the names that went, by function."""
    gone: dict[str, set[str]] = {}
    for name, fn in fns.items():
        if fn.args.kwarg is None:
            continue
        kwarg = fn.args.kwarg.arg
        named = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
        uses = [n for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id == kwarg]
        spread = [kw for c in ast.walk(fn) if isinstance(c, ast.Call) for kw in c.keywords
                  if kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id == kwarg]
        calls = [c for t in trees.values() for c in ast.walk(t)
                 if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == name]
        filled = any(kw.arg is None or kw.arg not in named for c in calls for kw in c.keywords)
        as_value = sum(isinstance(n, ast.Name) and n.id == name for t in trees.values() for n in ast.walk(t))
        if len(uses) != len(spread) or filled or as_value > len(calls):  # passed around: who knows what it gets
            continue
        fn.args.kwarg = None
        for call in (c for c in ast.walk(fn) if isinstance(c, ast.Call)):
            call.keywords = [kw for kw in call.keywords if not any(kw is s for s in spread)]
        gone[name] = {kwarg}
    return gone


def _outer_items(text: str) -> tuple[int, int, list[str]] | None:
    """The first top-level bracket pair of ``text`` that holds a comma-separated list: where it opens and closes,
    and its items (None if there is none)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    depth, opening, commas = 0, -1, list[int]()
    for tok in tokens:
        if tok.type != tokenize.OP or tok.start[0] != 1:
            continue
        if tok.string in "([{":
            depth += 1
            if depth == 1:
                opening, commas = tok.start[1], []
        elif tok.string in ")]}":
            depth -= 1
            if depth == 0 and commas:
                closing = tok.start[1]
                bounds = zip([opening, *commas], [*commas, closing], strict=True)
                return opening, closing, [i for i in (text[x + 1 : y].strip() for x, y in bounds) if i]
        elif tok.string == "," and depth == 1:
            commas.append(tok.start[1])
    return None


def _wrap(line: str, width: int = 116) -> str:
    """A line longer than ``width`` that ends with a bracketed list (what ast.unparse joins into one line): one
    item per line inside the brackets."""
    text, indent = line.strip(), line[: len(line) - len(line.lstrip())]
    found = _outer_items(text) if len(line) > width and not text.startswith("def ") else None
    if found is None or text[found[1] + 1 :].strip() not in ("", ":"):
        return line
    opening, closing, items = found
    inner = "".join(f"{indent}    {item},\n" for item in items)
    return f"{indent}{text[: opening + 1]}\n{inner}{indent}{text[closing:]}"


def _wrap_signature(source: str, width: int = 116) -> str:
    """A ``def`` line longer than ``width`` with its parameters on lines of their own, filled up to ``width``."""
    head, _, body = source.partition("\n")
    head = re.sub(r"(: [^,=()]+)=(?!=)", r"\1 = ", head) if head.startswith("def ") else head  # x: int = 1
    found = _outer_items(head) if len(head) > width and head.startswith("def ") else None
    if found is None:
        return f"{head}\n{body}"
    opening, closing, items = found
    lines = [""]
    for item in items:
        if lines[-1] and len(lines[-1]) + len(item) + 6 > width:
            lines.append("")
        lines[-1] += f"{item}, "
    params = "\n".join(f"    {text.rstrip()}" for text in lines)
    return f"{head[: opening + 1]}\n{params}\n{head[closing:]}\n{body}"


def _kept_by(tree: ast.stmt, fns: dict[str, ast.FunctionDef], knobs: dict[str, dict[str, Scalar]],
             own: dict[str, Scalar]) -> dict[str, set[str]]:
    """The knobs of the solution's functions that ``tree`` needs kept (``own``: its own knobs that go)."""
    kept: dict[str, set[str]] = {}
    called = {id(c.func) for c in ast.walk(tree) if isinstance(c, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in fns and id(node) not in called:
            kept.setdefault(node.id, set()).update(knobs[node.id])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in fns:
            callee = knobs[node.func.id]
            for kw in node.keywords:
                if kw.arg is None:  # **kwargs: anything may be set
                    kept.setdefault(node.func.id, set()).update(callee)
                elif kw.arg in callee and not _passes_default(kw.value, callee[kw.arg], own):
                    kept.setdefault(node.func.id, set()).add(kw.arg)
    return kept


def _passes_default(value: ast.expr, default: object, caller_knobs: dict[str, Scalar]) -> bool:
    if isinstance(value, ast.Constant):
        return _same(value.value, default)
    return isinstance(value, ast.Name) and value.id in caller_knobs and _same(caller_knobs[value.id], default)
