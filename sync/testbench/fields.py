"""Partial responses: the `fields` system parameter (a FieldMask in Google's syntax).

Accepts both spellings clients send: `sheets.properties.title`, `sheets/data/rowData/values/note`
and `files(id,name,modifiedTime),nextPageToken`. The handlers build the full resource; the mask is
applied last, the way Google's front end does it.
"""

from __future__ import annotations

from typing import Any

Mask = dict[str, "Mask"]  # {} = everything below this node


class MaskSyntaxError(ValueError):
    pass


def parse_mask(text: str) -> Mask:
    tree: Mask = {}
    pos = _parse_list(text.replace(" ", ""), 0, tree)
    if pos != len(text.replace(" ", "")):
        raise MaskSyntaxError(text)
    return tree


def _parse_list(text: str, pos: int, into: Mask) -> int:
    while pos < len(text):
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        path = text[start:pos]
        if not path:
            raise MaskSyntaxError(text)
        node = into
        for seg in path.replace("/", ".").split("."):
            if not seg:
                raise MaskSyntaxError(text)
            if seg in node and not node[seg]:
                # Already "everything": a narrower path adds nothing.
                node = {}
                continue
            node = node.setdefault(seg, {})
        if pos < len(text) and text[pos] == "(":
            sub: Mask = {}
            pos = _parse_list(text, pos + 1, sub)
            if pos >= len(text) or text[pos] != ")":
                raise MaskSyntaxError(text)
            pos += 1
            if sub:
                node.update(sub)
        if pos < len(text) and text[pos] == ")":
            return pos
        if pos < len(text) and text[pos] == ",":
            pos += 1
    return pos


def apply_mask(value: Any, mask: Mask) -> Any:
    """Keep only the masked fields; lists are masked element by element."""
    if not mask or "*" in mask:
        return value
    if isinstance(value, list):
        return [apply_mask(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, sub in mask.items():
        if key in value:
            out[key] = apply_mask(value[key], sub)
    return out


def select(value: Any, fields: str | None) -> Any:
    """Apply `fields` if it parses; an unparseable mask returns the full resource."""
    if not fields:
        return value
    try:
        mask = parse_mask(fields)
    except MaskSyntaxError:
        return value
    return apply_mask(value, mask)
