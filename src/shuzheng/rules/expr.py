"""The part of the ZEN expression language (GoRules) that rule sets may use.

One parser, three uses:

* **validation** in the console: syntax errors and unknown facts, each with its position
  (``ExprError.pos``, 0-based character offset; messages say 第 N 个字符);
* **per-record evaluation in Python** (``evaluate``), with ZEN's semantics (exact decimals,
  ``round`` half away from zero, ``==`` across types is false, comparing different types is an
  error) — used by the tests and the benchmark as the "plain Python" path;
* **compilation to polars** (``to_polars``) for the vectorised batch path.

The per-case path of 秒批 runs the whole graph in zen-engine itself; a property test checks that
zen-engine, ``evaluate`` and the polars plan agree on random subjects.

Supported (the subset the polars compiler can translate): literals (numbers, strings in ``"``
or ``'``, ``true``/``false``/``null``), arrays ``[a, b]``, intervals ``[a..b]`` ``(a..b]``
``[a..b)`` ``(a..b)``, fact references with member access (``enterprise.employees``),
``not``/``!``, unary ``-``, ``+ - * / % ^``, comparisons ``== != < > <= >=``, ``in`` and
``not in``, ``and``/``or``, ``c ? a : b``, and the functions in ``FUNCTIONS``. In a decision
table cell (a *unary test*) ``$`` is the column value, a test may start with a comparison
operator (``>= 80``, ``> 2 and <= 4``), a bare value means equality, and commas mean "any of".
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FUNCTIONS",
    "Array",
    "Binary",
    "Call",
    "Conditional",
    "EvalError",
    "ExprError",
    "Interval",
    "Literal",
    "Node",
    "Ref",
    "Unary",
    "evaluate",
    "infer_type",
    "parse",
    "parse_unary",
    "refs",
]

D = decimal.Decimal
_CTX = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


class ExprError(ValueError):
    """A syntax or reference error at ``pos`` (0-based offset into the expression)."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos

    def chinese(self) -> str:
        return f"第 {self.pos + 1} 个字符处：{self.message}"


class EvalError(ValueError):
    """Evaluation failed (e.g. comparing a number with a string), as zen-engine would."""


# --- AST ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Literal(Node):
    value: Any  # Decimal | str | bool | None


@dataclass(frozen=True)
class Array(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Interval(Node):
    low: Node
    high: Node
    low_closed: bool
    high_closed: bool


@dataclass(frozen=True)
class Ref(Node):
    path: str  # dotted: "age", "enterprise.employees", "$"


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not" | "-"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # and or == != < > <= >= in notin + - * / % ^
    left: Node
    right: Node


@dataclass(frozen=True)
class Conditional(Node):
    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...] = field(default=())


# name → (min args, max args, result type or None when it depends on the argument)
FUNCTIONS: dict[str, tuple[int, int, str | None]] = {
    "startsWith": (2, 2, "bool"),
    "endsWith": (2, 2, "bool"),
    "contains": (2, 2, "bool"),
    "len": (1, 1, "number"),
    "abs": (1, 1, "number"),
    "floor": (1, 1, "number"),
    "ceil": (1, 1, "number"),
    "round": (1, 2, "number"),
    "min": (1, 1, "number"),
    "max": (1, 1, "number"),
}

# --- lexer ----------------------------------------------------------------------------------

_OPS = ("..", "==", "!=", "<=", ">=", "??", "<", ">", "+", "-", "*", "/", "%", "^", "!", "?", ":")
_PUNCT = "()[],."
_WORDS = {"and", "or", "not", "in", "true", "false", "null"}


@dataclass(frozen=True)
class Tok:
    kind: str  # num str ident word op punct end
    text: str
    pos: int
    value: Any = None


def _lex(src: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            j = i
            while j < n and src[j].isdigit():
                j += 1
            if j < n and src[j] == "." and j + 1 < n and src[j + 1].isdigit():
                j += 1
                while j < n and src[j].isdigit():
                    j += 1
            toks.append(Tok("num", src[i:j], i, D(src[i:j])))
            i = j
            continue
        if c in "\"'":
            j, buf = i + 1, []
            while j < n and src[j] != c:
                if src[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(src[j])
                j += 1
            if j >= n:
                raise ExprError("字符串缺少结束引号", i)
            toks.append(Tok("str", src[i : j + 1], i, "".join(buf)))
            i = j + 1
            continue
        if c.isascii() and (c.isalpha() or c in "_$#"):
            j = i + 1
            while j < n and src[j].isascii() and (src[j].isalnum() or src[j] == "_"):
                j += 1
            word = src[i:j]
            toks.append(Tok("word" if word in _WORDS else "ident", word, i))
            i = j
            continue
        for op in _OPS:
            if src.startswith(op, i):
                toks.append(Tok("op", op, i))
                i += len(op)
                break
        else:
            if c in _PUNCT:
                toks.append(Tok("punct", c, i))
                i += 1
            elif not c.isascii():
                raise ExprError(f"不能识别的字符“{c}”（名称只能用英文字母、数字和下划线）", i)
            else:
                raise ExprError(f"不能识别的字符“{c}”", i)
    toks.append(Tok("end", "", n))
    return toks


# --- parser (precedence climbing) -----------------------------------------------------------

_COMPARE = {"==", "!=", "<", ">", "<=", ">="}


class _Parser:
    def __init__(self, src: str, *, unary: bool) -> None:
        self.src = src
        self.toks = _lex(src)
        self.i = 0
        self.unary = unary

    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def next(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, kind: str, text: str | None = None) -> bool:
        t = self.tok
        return t.kind == kind and (text is None or t.text == text)

    def expect(self, kind: str, text: str, what: str) -> Tok:
        if not self.at(kind, text):
            raise ExprError(f"此处应为{what}", self.tok.pos)
        return self.next()

    def done(self) -> None:
        if not self.at("end"):
            raise ExprError(f"多余的内容“{self.tok.text}”", self.tok.pos)

    # expression := ternary
    def expression(self) -> Node:
        test = self.or_()
        if self.at("op", "?"):
            pos = self.next().pos
            then = self.expression()
            self.expect("op", ":", "“:”")
            otherwise = self.expression()
            return Conditional(pos, test, then, otherwise)
        return test

    def or_(self) -> Node:
        left = self.and_()
        while self.at("word", "or"):
            pos = self.next().pos
            left = Binary(pos, "or", left, self.and_())
        return left

    def and_(self) -> Node:
        left = self.not_()
        while self.at("word", "and"):
            pos = self.next().pos
            left = Binary(pos, "and", left, self.not_())
        return left

    def not_(self) -> Node:
        if self.at("word", "not") or self.at("op", "!"):
            pos = self.next().pos
            return Unary(pos, "not", self.not_())
        return self.compare()

    def compare(self) -> Node:
        if self.unary and self.tok.kind == "op" and self.tok.text in _COMPARE:
            # a unary test starting with an operator: ">= 80" means "$ >= 80"
            op = self.next()
            return Binary(op.pos, op.text, Ref(op.pos, "$"), self.additive())
        left = self.additive()
        t = self.tok
        if t.kind == "op" and t.text in _COMPARE:
            self.next()
            right = self.additive()
            if self.tok.kind == "op" and self.tok.text in _COMPARE:
                raise ExprError("比较不能连写，请用 and 连接", self.tok.pos)
            return Binary(t.pos, t.text, left, right)
        if t.kind == "word" and t.text == "in":
            self.next()
            return Binary(t.pos, "in", left, self.additive())
        if t.kind == "word" and t.text == "not" and self.toks[self.i + 1].text == "in":
            self.next()
            self.next()
            return Binary(t.pos, "notin", left, self.additive())
        return left

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            t = self.next()
            left = Binary(t.pos, t.text, left, self.multiplicative())
        return left

    def multiplicative(self) -> Node:
        left = self.power()
        while self.tok.kind == "op" and self.tok.text in ("*", "/", "%"):
            t = self.next()
            left = Binary(t.pos, t.text, left, self.power())
        return left

    def power(self) -> Node:
        base = self.prefix()
        if self.at("op", "^"):
            t = self.next()
            return Binary(t.pos, "^", base, self.power())
        return base

    def prefix(self) -> Node:
        if self.at("op", "-"):
            pos = self.next().pos
            return Unary(pos, "-", self.prefix())
        if self.at("op", "+"):
            self.next()
            return self.prefix()
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while self.at("punct", "."):
            dot = self.next()
            if not self.at("ident"):
                raise ExprError(
                    "“.”后应为字段名", self.tok.pos if self.tok.kind != "end" else dot.pos
                )
            name = self.next().text
            if not isinstance(node, Ref):
                raise ExprError("只能读取事实的字段", dot.pos)
            node = Ref(node.pos, f"{node.path}.{name}")
        return node

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.next()
            return Literal(t.pos, t.value)
        if t.kind == "str":
            self.next()
            return Literal(t.pos, t.value)
        if t.kind == "word" and t.text in ("true", "false"):
            self.next()
            return Literal(t.pos, t.text == "true")
        if t.kind == "word" and t.text == "null":
            self.next()
            return Literal(t.pos, None)
        if t.kind == "ident":
            self.next()
            if self.at("punct", "("):
                return self.call(t)
            return Ref(t.pos, t.text)
        if t.kind == "punct" and t.text in "([":
            return self.bracket()
        if t.kind == "end":
            raise ExprError("表达式不完整", t.pos)
        raise ExprError(f"此处不应出现“{t.text}”", t.pos)

    def call(self, name: Tok) -> Node:
        if name.text not in FUNCTIONS:
            known = "、".join(FUNCTIONS)
            raise ExprError(f"未知函数“{name.text}”（可用：{known}）", name.pos)
        self.expect("punct", "(", "“(”")
        args: list[Node] = []
        if not self.at("punct", ")"):
            args.append(self.expression())
            while self.at("punct", ","):
                self.next()
                args.append(self.expression())
        self.expect("punct", ")", "“)”")
        lo, hi, _ = FUNCTIONS[name.text]
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo}–{hi}"
            raise ExprError(f"函数 {name.text} 需要 {want} 个参数", name.pos)
        return Call(name.pos, name.text, tuple(args))

    def bracket(self) -> Node:
        open_ = self.next()
        if open_.text == "[" and self.at("punct", "]"):
            self.next()
            return Array(open_.pos, ())
        first = self.expression()
        if self.at("op", ".."):
            self.next()
            high = self.expression()
            if self.at("punct", "]") or self.at("punct", ")"):
                close = self.next()
                return Interval(open_.pos, first, high, open_.text == "[", close.text == "]")
            raise ExprError("区间应以“]”或“)”结束", self.tok.pos)
        if open_.text == "(":
            self.expect("punct", ")", "“)”")
            return first
        items = [first]
        while self.at("punct", ","):
            self.next()
            items.append(self.expression())
        self.expect("punct", "]", "“]”")
        return Array(open_.pos, tuple(items))


def parse(src: str) -> Node:
    """Parse a ZEN expression (raises ExprError with the position of the first problem)."""
    if not src.strip():
        raise ExprError("表达式为空", 0)
    p = _Parser(src, unary=False)
    node = p.expression()
    p.done()
    return node


def parse_unary(src: str) -> Node | None:
    """Parse a decision-table cell into a boolean expression over ``$``; None means "any"."""
    if not src.strip() or src.strip() == "-":
        return None
    p = _Parser(src, unary=True)
    tests = [p.expression()]
    while p.at("punct", ","):
        p.next()
        tests.append(p.expression())
    p.done()
    nodes = [
        t if _uses_dollar(t) else Binary(t.pos, _equality(t), Ref(t.pos, "$"), t) for t in tests
    ]
    out = nodes[0]
    for extra in nodes[1:]:
        out = Binary(extra.pos, "or", out, extra)
    return out


def _equality(node: Node) -> str:
    return "in" if isinstance(node, Interval) else "=="


def _uses_dollar(node: Node) -> bool:
    return any(r.path == "$" for r in refs(node))


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Array):
        for i in node.items:
            yield from walk(i)
    elif isinstance(node, Interval):
        yield from walk(node.low)
        yield from walk(node.high)
    elif isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Conditional):
        yield from walk(node.test)
        yield from walk(node.then)
        yield from walk(node.otherwise)
    elif isinstance(node, Call):
        for a in node.args:
            yield from walk(a)


def refs(node: Node) -> list[Ref]:
    """Every fact (or earlier key) the expression reads, in order of appearance."""
    return [n for n in walk(node) if isinstance(n, Ref)]


# --- types (for validation and for choosing polars operations) ------------------------------

# fact types: "number", "str", "bool", "list" (list of strings); plus "array", "interval", "null"


def infer_type(node: Node, types: Mapping[str, str]) -> str:
    """The type an expression produces; raises ExprError for operations that cannot work."""
    if isinstance(node, Literal):
        v = node.value
        return (
            "null"
            if v is None
            else "bool"
            if isinstance(v, bool)
            else "str"
            if isinstance(v, str)
            else "number"
        )
    if isinstance(node, Array):
        for item in node.items:
            infer_type(item, types)
        return "array"
    if isinstance(node, Interval):
        for end in (node.low, node.high):
            if infer_type(end, types) != "number":
                raise ExprError("区间的两端应为数字", end.pos)
        return "interval"
    if isinstance(node, Ref):
        return types.get(node.path, "any")
    if isinstance(node, Unary):
        t = infer_type(node.operand, types)
        if node.op == "not":
            _want(t, "bool", node.operand, "not 后应为条件（真/假）")
            return "bool"
        _want(t, "number", node.operand, "负号后应为数字")
        return "number"
    if isinstance(node, Conditional):
        _want(infer_type(node.test, types), "bool", node.test, "“?”前应为条件（真/假）")
        a, b = infer_type(node.then, types), infer_type(node.otherwise, types)
        return a if a == b or b in ("null", "any") else b if a in ("null", "any") else "any"
    if isinstance(node, Call):
        arg_types = [infer_type(a, types) for a in node.args]
        if node.name in ("startsWith", "endsWith"):
            _want(arg_types[0], "str", node.args[0], f"{node.name} 的第1个参数应为文字")
            _want(arg_types[1], "str", node.args[1], f"{node.name} 的第2个参数应为文字")
        elif node.name == "contains":
            if arg_types[0] not in ("str", "list", "array", "any"):
                raise ExprError("contains 的第1个参数应为文字或列表", node.args[0].pos)
        elif node.name == "len":
            if arg_types[0] not in ("str", "list", "array", "any"):
                raise ExprError("len 的参数应为文字或列表", node.args[0].pos)
        elif node.name in ("min", "max"):
            if arg_types[0] not in ("array", "any"):
                raise ExprError(f"{node.name} 的参数应为数组，如 {node.name}([a, b])", node.pos)
        else:
            for arg, arg_type in zip(node.args, arg_types, strict=True):
                _want(arg_type, "number", arg, f"{node.name} 的参数应为数字")
        return FUNCTIONS[node.name][2] or "any"
    assert isinstance(node, Binary)
    lt, rt = infer_type(node.left, types), infer_type(node.right, types)
    if node.op in ("and", "or"):
        _want(lt, "bool", node.left, f"{node.op} 两边应为条件（真/假）")
        _want(rt, "bool", node.right, f"{node.op} 两边应为条件（真/假）")
        return "bool"
    if node.op in ("in", "notin"):
        if rt not in ("array", "interval", "list", "any"):
            raise ExprError("in 的右边应为数组、区间或列表类事实", node.right.pos)
        return "bool"
    if node.op in ("==", "!="):
        return "bool"
    if node.op in ("<", ">", "<=", ">="):
        if "any" not in (lt, rt) and (lt != rt or lt not in ("number", "str")):
            raise ExprError("只能比较两个数字或两段文字", node.pos)
        return "bool"
    if node.op == "+" and "str" in (lt, rt):
        if lt != rt and "any" not in (lt, rt):
            raise ExprError("文字只能与文字相加", node.pos)
        return "str"
    _want(lt, "number", node.left, f"“{node.op}”两边应为数字")
    _want(rt, "number", node.right, f"“{node.op}”两边应为数字")
    return "number"


def _want(got: str, want: str, node: Node, message: str) -> None:
    if got not in (want, "any"):
        raise ExprError(message, node.pos)


# --- Python evaluation with ZEN semantics ---------------------------------------------------


def _num(v: Any) -> D:
    if isinstance(v, bool) or not isinstance(v, (int, float, D)):
        raise EvalError(f"应为数字：{v!r}")
    return v if isinstance(v, D) else D(str(v))


def _lookup(path: str, scope: Mapping[str, Any]) -> Any:
    if path in scope:
        return scope[path]
    cur: Any = scope
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _eq(a: Any, b: Any) -> bool:
    a_num = isinstance(a, (int, float, D)) and not isinstance(a, bool)
    b_num = isinstance(b, (int, float, D)) and not isinstance(b, bool)
    if a_num and b_num:
        return _num(a) == _num(b)
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return False
    return bool(a == b)


def _round_half_away(x: D, places: int = 0) -> D:
    q = D(1).scaleb(-places)
    return x.quantize(q, rounding=decimal.ROUND_HALF_UP, context=_CTX)


def _in(value: Any, container: Any) -> bool:
    if isinstance(container, tuple) and len(container) == 4 and container[0] == "interval":
        _, lo, hi, closed = container
        x = _num(value)
        low_ok = x >= lo if closed[0] else x > lo
        high_ok = x <= hi if closed[1] else x < hi
        return bool(low_ok and high_ok)
    if isinstance(container, (list, tuple)):
        return any(_eq(value, item) for item in container)
    raise EvalError("in 的右边应为数组或区间")


def _call(name: str, args: list[Any]) -> Any:
    if name in ("startsWith", "endsWith"):
        s, p = args
        if not isinstance(s, str) or not isinstance(p, str):
            raise EvalError(f"{name} 需要文字")
        return s.startswith(p) if name == "startsWith" else s.endswith(p)
    if name == "contains":
        c, v = args
        if isinstance(c, str):
            if not isinstance(v, str):
                raise EvalError("contains 需要文字")
            return v in c
        if isinstance(c, (list, tuple)):
            return any(_eq(v, i) for i in c)
        raise EvalError("contains 需要文字或列表")
    if name == "len":
        (c,) = args
        if not isinstance(c, (str, list, tuple)):
            raise EvalError("len 需要文字或列表")
        return D(len(c))
    if name in ("min", "max"):
        (arr,) = args
        if not isinstance(arr, (list, tuple)) or not arr:
            raise EvalError(f"{name} 需要非空数组")
        nums = [_num(a) for a in arr]
        return min(nums) if name == "min" else max(nums)
    x = _num(args[0])
    if name == "abs":
        return abs(x)
    if name == "floor":
        return D(math.floor(x))
    if name == "ceil":
        return D(math.ceil(x))
    if name == "round":
        places = int(_num(args[1])) if len(args) > 1 else 0
        return _round_half_away(x, places)
    raise EvalError(f"未知函数 {name}")


_ARITH: dict[str, Callable[[D, D], D]] = {
    "+": lambda a, b: _CTX.add(a, b),
    "-": lambda a, b: _CTX.subtract(a, b),
    "*": lambda a, b: _CTX.multiply(a, b),
    "/": lambda a, b: _CTX.divide(a, b),
    "%": lambda a, b: _CTX.remainder(a, b),
    "^": lambda a, b: _CTX.power(a, b),
}


def evaluate(node: Node, scope: Mapping[str, Any]) -> Any:
    """Evaluate with ZEN's semantics. Numbers come back as ``Decimal``."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        v = _lookup(node.path, scope)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return D(str(v))
        return v
    if isinstance(node, Array):
        return [evaluate(i, scope) for i in node.items]
    if isinstance(node, Interval):
        lo, hi = _num(evaluate(node.low, scope)), _num(evaluate(node.high, scope))
        return ("interval", lo, hi, (node.low_closed, node.high_closed))
    if isinstance(node, Unary):
        v = evaluate(node.operand, scope)
        if node.op == "not":
            if not isinstance(v, bool):
                raise EvalError("not 需要真/假")
            return not v
        return -_num(v)
    if isinstance(node, Conditional):
        t = evaluate(node.test, scope)
        if not isinstance(t, bool):
            raise EvalError("条件应为真/假")
        return evaluate(node.then if t else node.otherwise, scope)
    if isinstance(node, Call):
        return _call(node.name, [evaluate(a, scope) for a in node.args])
    assert isinstance(node, Binary)
    op = node.op
    if op in ("and", "or"):
        left = evaluate(node.left, scope)
        if not isinstance(left, bool):
            raise EvalError(f"{op} 需要真/假")
        if (op == "and" and not left) or (op == "or" and left):
            return left
        right = evaluate(node.right, scope)
        if not isinstance(right, bool):
            raise EvalError(f"{op} 需要真/假")
        return right
    a, b = evaluate(node.left, scope), evaluate(node.right, scope)
    if op == "==":
        return _eq(a, b)
    if op == "!=":
        return not _eq(a, b)
    if op in ("in", "notin"):
        found = _in(a, b)
        return found if op == "in" else not found
    if op in ("<", ">", "<=", ">="):
        if isinstance(a, str) and isinstance(b, str):
            pass
        else:
            a, b = _num(a), _num(b)
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    try:
        return _ARITH[op](_num(a), _num(b))
    except (decimal.InvalidOperation, decimal.DivisionByZero) as exc:
        raise EvalError(f"无法计算：{exc}") from exc
