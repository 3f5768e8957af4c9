"""The run log: one JSON object per line, beside the state file (`<state>.log.jsonl`).

For the people who keep a scheduled run alive: each line has the time, the run id, the stage and
what it did (source codes, statuses, row counts, seconds). Only codes, counts and messages written
for people go in — never credentials, tokens or cell contents.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any


class RunLog:
    def __init__(self, path: Path | None, run_id: str) -> None:
        self.path = path
        self.run_id = run_id

    def event(self, stage: str, **fields: Any) -> None:
        if self.path is None:
            return
        record = {"at": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"),
                  "run_id": self.run_id, "stage": stage, **fields}
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write per line in append mode: lines of concurrent writers never interleave.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError:
            pass  # a log that cannot be written must not fail the run
