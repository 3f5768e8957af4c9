"""The two edges of the pipe: a source workbook to read and a master workbook to write.

DESIGN.md's "workbook" interface. Implementations: `.xlsx`/`.csv` files (`backends.xlsx`,
`backends.csvfile`) and Google Sheets (`backends.gsheets`). The core never imports them; it sees
lists of cell values and `Table`s.

Cell values, as read: `None` or `""` for an empty cell, `str`, `int`/`float`, `bool`,
`datetime.date`/`datetime.datetime` for date cells, and spreadsheet error values (`#REF!` …) as
their text — readers cannot always tell an error cell from the same text typed by hand, and SPEC §4
treats both as errors, never data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from sync.catalog import Column

Cell = Any
Grid = list[list[Cell]]


@dataclass(frozen=True, slots=True)
class TabInfo:
    name: str
    hidden: bool = False


class SourceWorkbook(Protocol):
    """A unit's spreadsheet, already fetched: its tabs and the cells of a tab."""

    def tabs(self) -> list[TabInfo]: ...

    def read(self, tab: str) -> Grid:
        """Every cell of the tab from A1, rows as a person sees them (row 1 first); trailing empty
        rows and cells may be missing."""
        ...


@dataclass(slots=True)
class Payload:
    """The bytes of a source as fetched, kept as the source's last good snapshot.

    `kind` tells how to open it (`xlsx`, `csv`, `gsheet-json`); `fingerprint` changes whenever the
    content changes (a content hash, or Drive's version) and drives change detection."""

    kind: str
    data: bytes
    fingerprint: str
    name: str = ""


@dataclass(slots=True)
class Table:
    """One tab of the master: a header per column (with its kind for formatting) and the rows."""

    name: str
    columns: tuple[Column, ...]
    frame: pd.DataFrame
    note: str = ""  # a line written above nothing; used when detail went to a local file
    highlight: dict[str, dict[str, str]] = field(default_factory=dict)  # header -> value -> colour


class MasterWorkbook(Protocol):
    """Where the master goes: all tabs replaced as one snapshot (readers never see half of it)."""

    def write(self, tables: Sequence[Table]) -> None: ...

    def describe(self) -> str:
        """Where the master is, for people (a path or a URL)."""
        ...
