"""A deliberately small formula evaluator.

Enough for what tests write with USER_ENTERED: arithmetic, comparisons, `&`, cell and range
references on the same spreadsheet and a handful of functions. Import functions (IMPORTXML,
IMPORTRANGE, …) cannot reach the network here and evaluate to `#N/A`, as they do in Sheets while
the fetch fails; unknown functions give `#NAME?`. What matters for the product is that a formula is
*stored* as a formula (userEnteredValue.formulaValue) and that RAW never creates one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sync.testbench.a1 import CellRange, RangeSyntaxError, parse_cells, split_range

Value = dict[str, Any] | None  # an ExtendedValue (effective), None = empty
Resolver = Callable[[str | None, CellRange], list[list[Value]]]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
   |(?P<str>"(?:[^"]|"")*")
   |(?P<ref>(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)?!?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)
   |(?P<func>[A-Za-z_][A-Za-z0-9_.]*)\s*\(
   |(?P<name>TRUE|FALSE)
   |(?P<op><>|<=|>=|[-+*/^&=<>(),:;])
    )""",
    re.VERBOSE | re.IGNORECASE,
)
NETWORK_FUNCTIONS = {"IMPORTXML", "IMPORTHTML", "IMPORTDATA", "IMPORTFEED", "IMPORTRANGE", "IMAGE"}


class _Err(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.value = {"errorValue": {"type": kind, "message": message}}


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise _Err("ERROR", "Formula parse error.")
        kind = m.lastgroup or "op"
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resolve: Resolver) -> None:
        self.t = tokens
        self.i = 0
        self.resolve = resolve

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise _Err("ERROR", "Formula parse error.")
        self.i += 1
        return tok

    def expr(self) -> Any:
        left = self.concat()
        while (tok := self.peek()) and tok[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.concat()
            a, b = _scalar(left), _scalar(right)
            left = {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return left

    def concat(self) -> Any:
        left = self.add()
        while (tok := self.peek()) and tok[1] == "&":
            self.take()
            left = _text(left) + _text(self.add())
        return left

    def add(self) -> Any:
        left = self.mul()
        while (tok := self.peek()) and tok[1] in "+-" and tok[0] == "op":
            op = self.take()[1]
            right = self.mul()
            left = _num(left) + _num(right) if op == "+" else _num(left) - _num(right)
        return left

    def mul(self) -> Any:
        left = self.power()
        while (tok := self.peek()) and tok[1] in "*/" and tok[0] == "op":
            op = self.take()[1]
            right = _num(self.power())
            if op == "/" and right == 0:
                raise _Err("DIVIDE_BY_ZERO", "Function DIVIDE parameter 2 cannot be zero.")
            left = _num(left) * right if op == "*" else _num(left) / right
        return left

    def power(self) -> Any:
        left = self.unary()
        while (tok := self.peek()) and tok[1] == "^":
            self.take()
            left = _num(left) ** _num(self.unary())
        return left

    def unary(self) -> Any:
        tok = self.peek()
        if tok and tok[1] in "+-" and tok[0] == "op":
            self.take()
            val = _num(self.unary())
            return -val if tok[1] == "-" else val
        return self.atom()

    def atom(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "name":
            return text.upper() == "TRUE"
        if kind == "ref":
            return self.reference(text)
        if kind == "func":
            return self.call(text.upper())
        if text == "(":
            val = self.expr()
            if self.take()[1] != ")":
                raise _Err("ERROR", "Formula parse error.")
            return val
        raise _Err("ERROR", "Formula parse error.")

    def reference(self, text: str) -> Any:
        try:
            title, cells = split_range(text)
            rng = parse_cells(cells or "")
        except RangeSyntaxError as exc:
            raise _Err("REF", f"Unresolved sheet name '{text}'.") from exc
        try:
            grid = self.resolve(title, rng)
        except ValueError:
            raise _Err("REF", f"Unresolved sheet name '{title}'.") from None
        if rng.single:
            return _unwrap(grid[0][0] if grid and grid[0] else None)
        return [[_unwrap(v) for v in row] for row in grid]

    def call(self, name: str) -> Any:
        args: list[Any] = []
        if self.peek() and self.peek()[1] == ")":  # type: ignore[index]
            self.take()
        else:
            while True:
                args.append(self.expr())
                sep = self.take()[1]
                if sep == ")":
                    break
                if sep not in (",", ";"):
                    raise _Err("ERROR", "Formula parse error.")
        if name == "NA":
            raise _Err("N_A", "Value not available.")
        if name in NETWORK_FUNCTIONS:
            raise _Err("N_A", f"Could not fetch url for {name}.")
        flat = [v for a in args for v in (_flatten(a) if isinstance(a, list) else [a])]
        nums = [v for v in flat if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if name == "SUM":
            return float(sum(nums))
        if name == "AVERAGE":
            if not nums:
                raise _Err(
                    "DIVIDE_BY_ZERO",
                    "Evaluation of function AVERAGE caused a divide by zero error.",
                )
            return sum(nums) / len(nums)
        if name in ("MIN", "MAX"):
            return float((min if name == "MIN" else max)(nums)) if nums else 0.0
        if name == "COUNT":
            return float(len(nums))
        if name == "COUNTA":
            return float(len([v for v in flat if v not in (None, "")]))
        if name in ("CONCATENATE", "CONCAT"):
            return "".join(_text(v) for v in flat)
        if name == "LEN":
            return float(len(_text(args[0])))
        if name == "UPPER":
            return _text(args[0]).upper()
        if name == "LOWER":
            return _text(args[0]).lower()
        if name == "ABS":
            return abs(_num(args[0]))
        if name == "ROUND":
            return float(round(_num(args[0]), int(_num(args[1])) if len(args) > 1 else 0))
        if name == "IF":
            cond = args[0]
            return args[1] if cond else (args[2] if len(args) > 2 else False)
        raise _Err("NAME", f"Unknown function: '{name.lower()}'.")


def _unwrap(v: Value) -> Any:
    if v is None:
        return None
    if "errorValue" in v:
        raise _Err(v["errorValue"]["type"], v["errorValue"].get("message", ""))
    return next(iter(v.values()))


def _flatten(grid: list) -> list:
    return [v for row in grid for v in (row if isinstance(row, list) else [row])]


def _scalar(v: Any) -> Any:
    return _flatten(v)[0] if isinstance(v, list) and v else v


def _num(v: Any) -> float:
    v = _scalar(v)
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        raise _Err(
            "VALUE",
            f"Function ADD parameter expects number values. But '{v}' is a text and cannot be "
            "coerced to a number.",
        ) from None


def _text(v: Any) -> str:
    v = _scalar(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def evaluate(formula: str, resolve: Resolver) -> dict[str, Any]:
    """Effective value (ExtendedValue) of `=…`."""
    try:
        parser = _Parser(_tokens(formula.lstrip("=")), resolve)
        result = parser.expr()
        if parser.peek() is not None:
            raise _Err("ERROR", "Formula parse error.")
    except _Err as err:
        return err.value
    except RecursionError:
        return {"errorValue": {"type": "REF", "message": "Circular dependency detected."}}
    except (TypeError, ValueError, OverflowError, IndexError):
        return {"errorValue": {"type": "VALUE", "message": "Wrong type of argument."}}
    result = _scalar(result)
    if result is None:
        return {"numberValue": 0}
    if isinstance(result, bool):
        return {"boolValue": result}
    if isinstance(result, (int, float)):
        return {"numberValue": float(result)}
    return {"stringValue": str(result)}
