"""The Drive v3 `q` search language: `name = 'x' and mimeType != '…' or 'folder' in parents`.

Only the terms the Drive reference lists are accepted; anything else (for instance `id = '…'`,
which Drive does not support) is the API's `400 Invalid Value` on parameter `q`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sync.testbench.errors import drive_invalid_value
from sync.testbench.state import DriveFile, access_rank, parse_rfc3339

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<op>!=|<=|>=|=|<|>|\(|\))
    |(?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    |(?P<num>-?\d+(?:\.\d+)?))""",
    re.VERBOSE,
)

Predicate = Callable[[DriveFile, str], bool]  # (file, caller email) → match


def _tokens(q: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(q):
        if not q[pos:].strip():
            break
        m = _TOKEN.match(q, pos)
        if not m:
            raise drive_invalid_value("q")
        kind = m.lastgroup or "op"
        text = m.group(kind)
        if kind == "str":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        out.append((kind, text))
        pos = m.end()
    return out


def _name_contains(name: str, needle: str) -> bool:
    """Drive's `name contains` matches at the start of the name or of a word in it."""
    hay = name.casefold()
    needle = needle.casefold()
    if not needle:
        return True
    for m in re.finditer(re.escape(needle), hay):
        i = m.start()
        if i == 0 or not hay[i - 1].isalnum():
            return True
    return False


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.t = tokens
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise drive_invalid_value("q")
        self.i += 1
        return tok

    def word(self, expected: str) -> bool:
        tok = self.peek()
        if tok and tok[0] == "word" and tok[1].lower() == expected:
            self.i += 1
            return True
        return False

    def parse(self) -> Predicate:
        pred = self.or_expr()
        if self.peek() is not None:
            raise drive_invalid_value("q")
        return pred

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.word("or"):
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda f, who: any(p(f, who) for p in parts)

    def and_expr(self) -> Predicate:
        parts = [self.not_expr()]
        while self.word("and"):
            parts.append(self.not_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda f, who: all(p(f, who) for p in parts)

    def not_expr(self) -> Predicate:
        if self.word("not"):
            inner = self.not_expr()
            return lambda f, who: not inner(f, who)
        tok = self.peek()
        if tok == ("op", "("):
            self.take()
            inner = self.or_expr()
            if self.take() != ("op", ")"):
                raise drive_invalid_value("q")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        first = self.take()
        if first[0] == "str":
            # 'value' in parents|owners|writers|readers
            if not self.word("in"):
                raise drive_invalid_value("q")
            field = self.take()
            return _membership(first[1], field[1])
        if first[0] != "word":
            raise drive_invalid_value("q")
        field = first[1]
        op_tok = self.take()
        op = op_tok[1].lower()
        if op_tok[0] == "word" and op not in ("contains",):
            raise drive_invalid_value("q")
        value_tok = self.take()
        value = value_tok[1]
        return _term(field, op, value, value_tok[0])


def _membership(value: str, field: str) -> Predicate:
    if field == "parents":
        return lambda f, who: value in f.parents
    if field in ("owners", "writers", "readers"):
        need = {"owners": 5, "writers": 3, "readers": 1}[field]

        def check(f: DriveFile, who: str) -> bool:
            email = who if value == "me" else value
            return access_rank(f, email) >= need and (field != "owners" or f.owner == email)

        return check
    raise drive_invalid_value("q")


def _compare(a: object, op: str, b: object) -> bool:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    if op == ">=":
        return a >= b  # type: ignore[operator]
    raise drive_invalid_value("q")


def _term(field: str, op: str, value: str, kind: str) -> Predicate:
    if field == "name":
        if op == "contains":
            return lambda f, who: _name_contains(f.name, value)
        if op in ("=", "!="):
            return lambda f, who: _compare(f.name, op, value)
    elif field == "fullText" and op == "contains":
        return lambda f, who: value.casefold() in (f.name + " " + (f.description or "")).casefold()
    elif field == "mimeType" and op in ("=", "!=", "contains"):
        if op == "contains":
            return lambda f, who: value in f.mime_type
        return lambda f, who: _compare(f.mime_type, op, value)
    elif field in ("modifiedTime", "createdTime") and op in ("=", "!=", "<", "<=", ">", ">="):
        if kind != "str":
            raise drive_invalid_value("q")
        try:
            limit = parse_rfc3339(value)
        except ValueError:
            raise drive_invalid_value("q") from None
        attr = "modified_ms" if field == "modifiedTime" else "created_ms"
        return lambda f, who: _compare(getattr(f, attr), op, limit)
    elif field in ("trashed", "starred", "sharedWithMe") and op in ("=", "!="):
        if value.lower() not in ("true", "false"):
            raise drive_invalid_value("q")
        want = value.lower() == "true"
        if field == "sharedWithMe":
            return lambda f, who: _compare(f.owner != who and access_rank(f, who) > 0, op, want)
        return lambda f, who: _compare(getattr(f, field), op, want)
    raise drive_invalid_value("q")


def compile_query(q: str | None) -> Predicate:
    if not q or not q.strip():
        return lambda f, who: True
    return _Parser(_tokens(q)).parse()
