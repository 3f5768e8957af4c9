"""The text worker: a second Python process that cleans and keys titles and authors while the
validating process does everything else (`validate` starts it at `WORKER_MIN_ROWS` rows).

Titles and authors are the columns that are nearly all distinct and read word by word, about half
of validation's work at scale. Both sides of the exchange are here: `TextWorker` in the validating
process, `main` in the worker. The worker imports numpy and the plain string modules only
(`sync.text`, `sync.authors`), not pandas or Arrow: it starts faster and its interpreter takes
about 30 MiB instead of about 105 (the two processes' memory adds up).
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TextIO

import numpy as np

from sync import catalog
from sync.authors import factorize, split_authors
from sync.memory import map_large_blocks, release_freed_memory
from sync.text import clean_text, exact_key_of_clean, fold_lower

# Keys as UTF-8 with Arrow's offsets (`utf8_with_offsets`).
Utf8 = tuple[np.ndarray, bytes]
_ERROR_VALUES = frozenset(catalog.ERROR_VALUES)

# Validation of this many rows or more cleans titles and authors (and keys the titles) in a second
# process while this one validates the other columns (`SANGKIEN_VALIDATE_WORKER=0` turns it off,
# `=1` forces it).
WORKER_MIN_ROWS = 200_000
# The worker cleans all the authors, splits those of the first `WORKER_AUTHOR_SHARE` of the rows
# and cleans and keys the titles of the first `WORKER_TITLE_SHARE`; this process does the rest.
# Set from timelines of a million-row run (docs/benchmarks.md): both end within about a second;
# run-to-run variation (±0.4 s) is as large as moving a few percent of the rows.
WORKER_AUTHOR_SHARE = 0.4
WORKER_TITLE_SHARE = 0.88
AUTHOR_NAMES = "author_names"
PROBLEM_CODES = ("", *catalog.AUTHOR_PROBLEMS)
SEPARATOR = "\x1f"
CHUNK_CELLS = 1 << 16  # cells per chunk of a column's file and per message from the worker


def worker_wanted(n: int) -> bool:
    setting = os.environ.get("SANGKIEN_VALIDATE_WORKER", "")
    if setting == "0" or n == 0 or not hasattr(os, "pread"):
        return False
    return setting == "1" or (n >= WORKER_MIN_ROWS and (os.cpu_count() or 1) >= 2)


class TextWorker:
    """Shares the text work with a second Python process while this one validates everything
    else: it cleans the authors (`text.clean_text`), splits and keys the authors of the first
    rows (`WORKER_AUTHOR_SHARE`), then cleans and keys the titles of the first rows
    (`WORKER_TITLE_SHARE`); this process does the rest of both. Titles and authors are the
    columns that are nearly all distinct and read word by word, about half of the work at scale.

    The worker is a fresh interpreter (not a fork: a forked child writing into the parent's
    memory arenas would copy them page by page), started first so that it imports while this
    process encodes its input. Each column goes in its own temporary file as chunks of
    `CHUNK_CELLS` cells (UTF-8, joined by `SEPARATOR`), and its name goes down a pipe once the
    file is complete (the worker waits for it, then reads a chunk at a time). Its output, a
    temporary file of messages in `MESSAGES` order: the few cells that cleaning changed, the
    names of its share of the authors (distinct names with their keys, codes per name), and for
    the titles the keys as UTF-8 with Arrow's offsets (they become Arrow arrays here without a
    copy). A pipe tells when a part is complete. No thread of this process reads or writes
    meanwhile, so the validation here never waits for the GIL. Anything unexpected — no worker,
    a worker that fails, a cell it cannot be sent — and the parent computes the same results
    itself."""

    COLUMNS = ("authors", "title")  # the columns it is sent, in this order
    # What it sends back, in this order: the authors cleaned, the names in its share of the
    # authors, the titles cleaned and keyed.
    MESSAGES = ("authors", AUTHOR_NAMES, "title")
    KEYED = "title"
    # Columns the worker starts on only once legacy decoding here is done, with its corrections
    # (`hand_over_corrected`): it has the authors to do first, and keys made from decoded text
    # need no patching afterwards.
    CORRECTED = ("title",)

    def __init__(self, columns: dict[str, np.ndarray],
                 mark_legacy: Callable[[bytes, int], np.ndarray]) -> None:
        """`mark_legacy(data, n)`: which of the `n` cells in `data` (UTF-8, joined by
        `SEPARATOR`) hold legacy-encoding markers; the bytes written here are scanned as they
        go (`marked`), validation needs the scan anyway."""
        self.n = len(next(iter(columns.values())))
        self.mark_legacy = mark_legacy
        # It splits the authors of the first rows and keys the titles of the first rows; this
        # process does the rest (see `WORKER_AUTHOR_SHARE`).
        self.author_rows = int(self.n * WORKER_AUTHOR_SHARE)
        self.rows = {"authors": self.n, "title": max(1, int(self.n * WORKER_TITLE_SHARE))}
        self.failed = False
        self.sent: set[str] = set()  # the columns handed over whole
        self.marked: dict[str, np.ndarray] = {}  # `mark_legacy` of the rows sent, by column
        self.process: subprocess.Popen[bytes] | None = None
        self.complete: set[str] = set()
        self.offset = 0
        self.ready: TextIO | None = None  # the pipe that tells the worker a column is ready
        # The files outlive this call; `close` (always called by `validate`) lets them go.
        self.inputs = {name: tempfile.TemporaryFile() for name in self.COLUMNS}  # noqa: SIM115
        self.output = tempfile.TemporaryFile()  # noqa: SIM115
        progress_read, progress_write = os.pipe()
        ready_read, ready_write = os.pipe()
        fds = (progress_write, ready_read, *(f.fileno() for f in self.inputs.values()))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c",
                 f"from sync.text_worker import main as m; m{fds}"],
                stdin=subprocess.DEVNULL, stdout=self.output, stderr=subprocess.DEVNULL,
                pass_fds=fds)
        except OSError:
            self.failed = True
            for fd in (progress_read, ready_write):
                os.close(fd)
            return
        finally:
            os.close(progress_write)
            os.close(ready_read)
        self.progress = os.fdopen(progress_read, "r", encoding="ascii")
        self.ready = os.fdopen(ready_write, "w", encoding="ascii")
        for name in self.COLUMNS:
            if not self._hand_over(name, columns[name][:self.rows[name]]):
                break  # the worker stops at the first column it is not given
            if name not in self.CORRECTED:
                self._announce(name)
        if "authors" not in self.sent:
            self.failed = True
            self._stop_announcing()

    def hand_over_corrected(self, name: str, corrected: Mapping[int, str]) -> None:
        """Let the worker start on a column of `CORRECTED`, with the cells that legacy decoding
        changed since it was written ({row: text})."""
        if self.ready is None or name not in self.marked:
            return
        out = self.inputs[name]
        out.seek(0, os.SEEK_END)
        offset = out.tell()
        payload = pickle.dumps(dict(corrected), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(payload).to_bytes(8, "little") + payload)
        out.flush()
        self._announce(name, offset)

    def _announce(self, name: str, corrections_at: int = 0) -> None:
        """Tell the worker that a column's file is complete (and where its corrections are)."""
        try:
            assert self.ready is not None
            self.ready.write(f"{name} {corrections_at}\n")
            self.ready.flush()
        except (OSError, ValueError):  # the worker is gone: this process does the work
            self._stop_announcing()
            return
        self.sent.add(name)

    def _stop_announcing(self) -> None:
        if self.ready is not None:
            with contextlib.suppress(OSError):
                self.ready.close()
            self.ready = None

    def _hand_over(self, name: str, values: np.ndarray) -> bool:
        """Write one column into its file, a chunk at a time; False when a cell holds the
        separator (the column is not sent)."""
        out = self.inputs[name]
        share = self.author_rows if name == "authors" else 0
        out.write(len(values).to_bytes(8, "little") + share.to_bytes(8, "little"))
        marked = []
        for start in range(0, len(values), CHUNK_CELLS):
            texts = [v if v.__class__ is str else "" for v in
                     values[start:start + CHUNK_CELLS].tolist()]
            joined = SEPARATOR.join(texts)
            if joined.count(SEPARATOR) != len(texts) - 1:
                return False
            data = joined.encode("utf-8", "surrogatepass")
            # The legacy marker scan of these rows reads the bytes made for the worker anyway.
            marked.append(self.mark_legacy(data, len(texts)))
            out.write(len(data).to_bytes(8, "little"))
            out.write(data)
        out.flush()
        self.marked[name] = np.concatenate(marked) if marked else np.zeros(0, dtype=bool)
        return True

    def _messages(self, name: str) -> list[tuple[Any, ...]] | None:
        """The messages of one part of the output (`MESSAGES`), once the worker says it is
        complete; None when the worker ended without it or a message is damaged (or was never
        sent the column: the names come from the authors)."""
        if self.process is None or self.failed \
                or (self.KEYED if name == self.KEYED else "authors") not in self.sent:
            return None
        while name not in self.complete:
            line = self.progress.readline()
            if not line:
                return None  # the worker ended without finishing
            self.complete.add(line.strip())
        if name == self.MESSAGES[-1] and self.process is not None:
            # Its last part: let the worker end (and its memory go) before the part is loaded
            # here, so that the two do not add up.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        chunks = []
        # The worker writes through the same open file: read at explicit offsets (`pread`)
        # so that its writing position is left alone. The parts come one after the other:
        # earlier parts not asked for are passed over, a later part ends this one.
        later = self.MESSAGES[self.MESSAGES.index(name) + 1:]
        fd, offset = self.output.fileno(), self.offset
        try:
            while True:
                head = os.pread(fd, 8, offset)
                if len(head) < 8:
                    break
                size = int.from_bytes(head, "little")
                body = os.pread(fd, size, offset + 8)
                if len(body) < size:
                    break  # a later part the worker is still writing
                message = pickle.loads(body)
                if message[0] in later:
                    break
                if message[0] == name:
                    chunks.append(message[1:])
                offset += 8 + size
        except Exception:  # a damaged message: the parent redoes the work
            return None
        self.offset = offset
        return chunks

    def author_names(self) -> tuple[Any, ...] | None:
        """The names in the authors of rows `0 … author_rows - 1` (see `_author_share`); None
        when the worker did not deliver them."""
        chunks = self._messages(AUTHOR_NAMES)
        if not chunks or len(chunks) != 1 or len(chunks[0]) != 8:
            return None
        return chunks[0]

    def column(self, name: str) -> tuple[dict[int, str], list[Utf8], list[Utf8]] | None:
        """For one column's first `rows[name]` rows: {row: cleaned text where cleaning changed
        it}, and for the titles the exact and folded key chunks (`utf8_with_offsets`); None when
        the worker did not deliver it."""
        chunks = self._messages(name)
        if chunks is None:
            return None
        if sum(c[2] for c in chunks) != self.rows[name] or not all(
                len(c) == (7 if name == self.KEYED else 3) for c in chunks):
            return None
        changes: dict[int, str] = {}
        exact, folded = [], []
        for chunk in sorted(chunks, key=lambda c: c[0]):
            changes.update((chunk[0] + i, text) for i, text in chunk[1])
            if name == self.KEYED:
                exact.append((chunk[3], chunk[4]))
                folded.append((chunk[5], chunk[6]))
        return changes, exact, folded

    def close(self) -> bool:
        """Wait for the worker and let its files go; True when it finished cleanly."""
        self._stop_announcing()
        status = self.process.wait() if self.process is not None else 1
        if self.process is not None:
            self.progress.close()
        for handle in (*self.inputs.values(), self.output):
            handle.close()
        return status == 0


def main(progress_fd: int, ready_fd: int, *input_fds: int) -> None:
    """The worker process: each column read from its file (`TextWorker.COLUMNS` order) once its
    name arrives on `ready_fd`; messages out on stdout (a file), the name of each part once it
    is complete on `progress_fd`."""
    gc.disable()
    map_large_blocks()
    out = sys.stdout.buffer
    progress = os.fdopen(progress_fd, "w", encoding="ascii")
    ready = os.fdopen(ready_fd, "r", encoding="ascii")

    def send(message: tuple[Any, ...]) -> None:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(payload).to_bytes(8, "little"))
        out.write(payload)

    def complete(name: str) -> None:
        out.flush()
        progress.write(name + "\n")
        progress.flush()

    for name, fd in zip(TextWorker.COLUMNS, input_fds, strict=True):
        announced = ready.readline().split()
        if len(announced) != 2 or announced[0] != name:
            break  # this process was not given the column: it computes it itself
        share: list[str] = []
        for start, chunk, share_rows in _read_chunks(fd, int(announced[1])):
            cleaned = [clean_text(t) for t in chunk]
            changed = [(i, c) for i, (t, c) in enumerate(zip(chunk, cleaned, strict=True))
                       if t is not c and t != c]
            if name == TextWorker.KEYED:
                # An error value is no title (`validate._finish_text`): its key is "", as for a blank.
                exact = [exact_key_of_clean(c) if c not in _ERROR_VALUES else "" for c in cleaned]
                folded = [fold_lower(k) for k in exact]
                send((name, start, changed, len(chunk), *utf8_with_offsets(exact),
                      *utf8_with_offsets(folded)))
            else:
                send((name, start, changed, len(chunk)))
                if start < share_rows:
                    share += cleaned[:share_rows - start]
        complete(name)
        if name == "authors":
            send((AUTHOR_NAMES, *_author_share(share)))
            del share
            complete(AUTHOR_NAMES)
            # The authors' temporaries (a few hundred MiB at a million rows) go before the titles.
            gc.collect()
            release_freed_memory()
    progress.close()


def _read_chunks(fd: int, corrections_at: int) -> Iterator[tuple[int, list[str], int]]:
    """A column's file (`TextWorker._hand_over`): (first row, cells with their corrections,
    rows of the worker's share) for each chunk, read at explicit offsets one chunk at a time."""
    head = os.pread(fd, 16, 0)
    n, share_rows = int.from_bytes(head[:8], "little"), int.from_bytes(head[8:], "little")
    corrections: dict[int, str] = {}
    if corrections_at:
        size = int.from_bytes(os.pread(fd, 8, corrections_at), "little")
        corrections = pickle.loads(b"".join(_pread_all(fd, size, corrections_at + 8)))
    corrected = sorted(corrections)
    offset, start = 16, 0
    while start < n:
        size = int.from_bytes(os.pread(fd, 8, offset), "little")
        data = b"".join(_pread_all(fd, size, offset + 8))
        offset += 8 + size
        chunk = data.decode("utf-8", "surrogatepass").split(SEPARATOR)
        first = bisect.bisect_left(corrected, start)
        for row in corrected[first:bisect.bisect_left(corrected, start + len(chunk), first)]:
            chunk[row - start] = corrections[row]
        yield start, chunk, share_rows
        start += len(chunk)


def _pread_all(fd: int, size: int, offset: int) -> Iterator[bytes]:
    while size > 0:
        part = os.pread(fd, size, offset)
        if not part:
            raise EOFError("a column's file ended early")
        yield part
        size, offset = size - len(part), offset + len(part)


def _author_share(cleaned: list[str]) -> tuple[Any, ...]:
    """The worker's share of the authors (cells cleaned as typed): (row and position of each
    name, its code among the distinct names, its problem's code in `PROBLEM_CODES`; the
    distinct names with their keys and folds; the display text of the rows where it is not the
    cleaned cell)."""
    # Blanks and error values are no authors (as `validate._finish_text` has it for the rest).
    text = np.array([None if c == "" or c in _ERROR_VALUES else c for c in cleaned], dtype=object)
    split = split_authors(text)
    codes, names = factorize(split.names.tolist())
    keys = [exact_key_of_clean(u) for u in names]
    folds = [fold_lower(k) for k in keys]
    problem = {p: i for i, p in enumerate(PROBLEM_CODES)}
    problems = np.fromiter((problem[p] for p in split.problems.tolist()), dtype=np.int8,
                           count=len(split.problems))
    display = [(i, shown) for i, (shown, cell) in enumerate(zip(split.display.tolist(),
                                                                 text.tolist(), strict=True))
               if shown is not cell]
    return (split.rows.astype(np.int64), split.positions, codes.astype(np.int64), problems,
            names, keys, folds, display)


def utf8_with_offsets(values: list[str]) -> Utf8:
    """Strings as one UTF-8 buffer and the offset of each (Arrow's `large_string` layout: the
    parent makes Arrow arrays of them without a copy). Lone surrogates pass as their three bytes,
    as Arrow would be given them."""
    encoded = [v.encode("utf-8", "surrogatepass") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)),
              out=offsets[1:])
    return offsets, b"".join(encoded)

