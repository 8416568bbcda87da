"""One forgiving parser for typed numbers, arithmetic, units and shapes. Never evaluates anything but arithmetic.

Grammar (spaces are free between tokens; ``|`` is "or")::

    answer     := lead? expr unit?              lead: "≈" | "~" | "=" | "about" | "approx" | "approximately"
    expr       := term (("+" | "-") term)*
    term       := factor (("*" | "/" | "x" | "×") factor)*          x and × multiply: "2x3", "2 x 3", "2×3" are 6
    factor     := ("+" | "-" | "−") factor | atom (("^" | "**") factor)?
    atom       := number magnitude? | "(" expr ")"
    number     := digits ("." digits)? (("e" | "E") sign? digits)?  also ".5", "1,000,000", "1 000 000", "1_000"
    magnitude  := "k" | "K" (10³) | "M" (10⁶) | "B" | "bn" | "G" (10⁹) | "T" (10¹²)
                | "thousand" | "million" | "billion" | "trillion"
    unit       := a unit of the item's own kind (below) | "%"

    shape      := ("torch.Size" | "shape:")? bracket? dims bracket?      brackets: () [] {}
    dims       := expr ("," expr)* ","?  |  expr (("x" | "×" | "by" | " ") expr)*
                  each dimension a whole number >= 0: "(64, 64*8*8)" is (64, 4096), "(2*3, 4)" is (6, 4), "2x3"
                  is (2, 3); without commas, x × "by" and spaces separate dimensions and * multiplies

Units are read against the item's unit and converted to it: bytes (``B``, ``KB``/``kB`` 10³, ``MB``, ``GB``,
``TB``, ``KiB`` 2¹⁰, ``MiB``, ``GiB``, ``TiB``), FLOPs (``FLOP``, ``FLOPs``, ``kFLOPs``, ``MFLOPs``, ``GFLOPs``,
``TFLOPs``), parameters (``params``, ``parameters``); any other item unit is accepted as written. So for an item
in GB, ``14``, ``14 GB``, ``14G`` (a magnitude alone scales the item's base unit: 14·10⁹ bytes) and ``14000 MB``
are all 14; for an item in MB, ``98 MiB`` is 102.76. A unit of another kind, or any other trailing word
(``5 apples``), is an error with a message. ``%`` divides by 100 unless the item's unit is ``%``. For an item
without a unit, no unit word is accepted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_LENGTH = 200
MAX_DEPTH = 40
MAX_EXPONENT = 400

MAGNITUDES: dict[str, float] = {
    "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "G": 1e9, "T": 1e12,
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}

# unit kind -> {spelling (case-folded) -> factor to the kind's base unit}
UNIT_KINDS: dict[str, dict[str, float]] = {
    "bytes": {
        "b": 1, "byte": 1, "bytes": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
        "kib": 2.0**10, "mib": 2.0**20, "gib": 2.0**30, "tib": 2.0**40,
    },
    "flops": {
        "flop": 1, "flops": 1, "kflop": 1e3, "kflops": 1e3, "mflop": 1e6, "mflops": 1e6, "gflop": 1e9,
        "gflops": 1e9, "tflop": 1e12, "tflops": 1e12,
    },
    "parameters": {"param": 1, "params": 1, "parameter": 1, "parameters": 1},
}


class ParseError(ValueError):
    """What the person typed could not be read; the message says why, in words for them."""


@dataclass(frozen=True)
class Unit:
    """An item's unit: its kind's spellings and its own factor to the kind's base unit."""

    name: str
    spellings: dict[str, float]
    factor: float

    @classmethod
    def of(cls, unit: str | None) -> Unit | None:
        if not unit or unit == "%":
            return None
        folded = unit.strip().casefold()
        for spellings in UNIT_KINDS.values():
            if folded in spellings:
                return cls(unit, spellings, spellings[folded])
        return cls(unit, {folded: 1.0}, 1.0)


# ---- tokens ------------------------------------------------------------------------------------------------

_SEP = r"[,\s_\u00a0\u2009\u202f]"
_NUMBER = re.compile(
    r"(?:\d{1,3}(?P<sep>[,\s_\u00a0\u2009\u202f])\d{3}(?:(?P=sep)\d{3})*(?!\d)|\d+(?:_\d+)*)(?:\.\d*)?"
    r"(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?",
    re.ASCII,
)
_UNGROUPED = re.compile(r"\d+(?:_\d+)*(?:\.\d*)?(?:[eE][-+]?\d+)?", re.ASCII)
_WORD = re.compile(r"[A-Za-zµ%]+")
_OPERATORS = ("**", "+", "-", "−", "*", "/", "^", "×", "(", ")")


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "op", "word"
    text: str
    value: float = 0.0


def tokenize(text: str, *, grouping: bool = True) -> list[Token]:
    """Numbers (with digit grouping unless ``grouping`` is False), operators and words; raises ParseError."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
            continue
        m = _NUMBER.match(text, i) if (c.isdigit() or c == ".") else None
        if m is not None:
            raw = m.group(0)
            if not grouping and m.group("sep"):
                raw = _UNGROUPED.match(text, i).group(0)  # type: ignore[union-attr]
            try:
                value = float(re.sub(_SEP, "", raw))
            except ValueError:
                raise ParseError(f"could not read the number {raw!r}") from None
            tokens.append(Token("num", raw, value))
            i += len(raw)
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("op", {"−": "-", "×": "*"}.get(op, op)))
            i += len(op)
            continue
        w = _WORD.match(text, i)
        if w is not None:
            tokens.append(Token("word", w.group(0)))
            i += len(w.group(0))
            continue
        raise ParseError(f"unexpected {c!r}")
    return tokens


# ---- expressions -------------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over ``tokens`` (see the grammar); ``x`` between two numbers multiplies."""

    def __init__(self, tokens: list[Token], units: frozenset[str] = frozenset()) -> None:
        self.tokens = tokens
        self.units = units  # words that are the item's units here, not magnitudes ("B" is bytes for a memory item)
        self.pos = 0
        self.depth = 0
        self.magnitude = False

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take_op(self, *ops: str) -> str | None:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in ops:
            self.pos += 1
            return t.text
        if t is not None and "*" in ops and t.kind == "word" and t.text in ("x", "X"):
            self.pos += 1
            return "*"
        return None

    def expr(self) -> float:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError("the expression is nested too deeply")
        value = self.term()
        while (op := self.take_op("+", "-")) is not None:
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        self.depth -= 1
        return value

    def term(self) -> float:
        value = self.factor()
        while (op := self.take_op("*", "/")) is not None:
            rhs = self.factor()
            if op == "/" and rhs == 0:
                raise ParseError("division by zero")
            value = value * rhs if op == "*" else value / rhs
        return value

    def factor(self) -> float:
        if (op := self.take_op("+", "-")) is not None:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ParseError("the expression is nested too deeply")
            v = self.factor()
            self.depth -= 1
            return -v if op == "-" else v
        base = self.atom()
        if self.take_op("^", "**") is not None:
            exponent = self.factor()
            if abs(exponent) > MAX_EXPONENT or abs(base) > 1e6:
                raise ParseError("that power is too large to be a sensible answer")
            try:
                return float(base**exponent)
            except (OverflowError, ZeroDivisionError, TypeError):
                raise ParseError("that power cannot be computed") from None
        return base

    def atom(self) -> float:
        t = self.peek()
        if t is None:
            raise ParseError("a number is missing at the end")
        if t.kind == "op" and t.text == "(":
            self.pos += 1
            value = self.expr()
            if self.take_op(")") is None:
                raise ParseError("a closing parenthesis is missing")
            return value
        if t.kind != "num":
            raise ParseError(f"expected a number, not {t.text!r}")
        self.pos += 1
        value = t.value
        nxt = self.peek()
        if nxt is not None and nxt.kind == "word" and nxt.text in MAGNITUDES and nxt.text.casefold() not in self.units:
            self.pos += 1
            value *= MAGNITUDES[nxt.text]
            self.magnitude = True
        return value


def evaluate(
    text: str, *, grouping: bool = True, units: frozenset[str] = frozenset()
) -> tuple[float, list[Token], bool]:
    """The value of the arithmetic at the start of ``text``, the tokens left after it, and whether a magnitude
    suffix (k, M, B...) was used; ``units`` (case-folded) are never read as magnitudes."""
    if len(text) > MAX_LENGTH:
        raise ParseError("the answer is too long")
    parser = _Parser(tokenize(text, grouping=grouping), units)
    try:
        value = parser.expr()
    except RecursionError:
        raise ParseError("the expression is nested too deeply") from None
    if not math.isfinite(value):
        raise ParseError("that is too large to be a sensible answer")
    return value, parser.tokens[parser.pos :], parser.magnitude


# ---- numbers -----------------------------------------------------------------------------------------------

_LEAD = re.compile(r"^(?:≈|~|=|about\b|approx\.?|approximately\b)\s*", re.I)


def parse_number(raw: str, unit: str | None = None) -> float:
    """The value of what a person typed, in the item's ``unit`` (see the module docstring); raises ParseError."""
    s = _LEAD.sub("", raw.strip()).strip()
    if not s:
        raise ParseError("no answer given: type a number")
    item_unit = Unit.of(unit)
    try:
        value, rest, scaled = evaluate(s, units=frozenset(item_unit.spellings) if item_unit else frozenset())
    except ParseError as e:
        raise ParseError(f"could not read a number from {raw.strip()!r}: {e}") from None
    words = " ".join(t.text for t in rest)
    if not rest:
        # A magnitude alone scales the item's base unit: "14G" for an item in GB is 14·10⁹ bytes = 14 GB.
        return value / item_unit.factor if scaled and item_unit is not None else value
    if words == "%":
        return value if unit == "%" else value / 100
    if unit == "%" and words.casefold() in ("percent", "per cent"):
        return value
    if len(rest) == 1 and rest[0].kind == "word" and item_unit is not None:
        factor = item_unit.spellings.get(rest[0].text.casefold())
        if factor is not None:
            return value * factor / item_unit.factor
    where = f"this question's unit is {unit}" if unit else "this question has no unit: give a plain number"
    raise ParseError(f"could not read {words!r} after the number ({where})")


# ---- shapes ------------------------------------------------------------------------------------------------


def parse_shape(raw: str) -> tuple[int, ...]:
    """A shape from what a person typed (see the module docstring); raises ParseError."""
    s = raw.strip()
    if not s:
        raise ParseError("no answer given: type a shape such as (32, 64)")
    s = re.sub(r"^shape\s*[:=]?\s*", "", s, flags=re.I)
    m = re.fullmatch(r"torch\.Size\s*\((.*)\)", s, flags=re.S)
    if m:
        s = m.group(1).strip()
    bracketed = False
    while len(s) >= 2 and s[0] + s[-1] in ("()", "[]", "{}") and _balanced(s[1:-1]):
        s, bracketed = s[1:-1].strip(), True
    if not s:
        if bracketed:
            return ()
        raise ParseError(f"could not read a shape from {raw.strip()!r}")
    if len(s) > MAX_LENGTH:
        raise ParseError("the answer is too long")
    s = s.rstrip(",").strip()
    parts = s.split(",") if "," in s else re.split(r"\s*(?:[x×]|\bby\b)\s*|\s+", s, flags=re.I)
    return tuple(_dimension(p, raw) for p in parts)


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def _dimension(part: str, raw: str) -> int:
    text = part.strip()
    if not text:
        raise ParseError(f"could not read a shape from {raw.strip()!r}: a size is missing")
    try:
        value, rest, _ = evaluate(text, grouping=False)
    except ParseError as e:
        raise ParseError(f"could not read a shape from {raw.strip()!r}: {e} in {text!r}") from None
    if rest:
        raise ParseError(f"could not read a shape from {raw.strip()!r}: a shape has whole numbers only ({text!r})")
    if value < 0 or value != int(value) or value >= 1e18:
        raise ParseError(f"could not read a shape from {raw.strip()!r}: {text!r} is not a whole number >= 0")
    return int(value)
