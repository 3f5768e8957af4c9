"""Expected failures, each with the exit code of SPEC §2 and a Vietnamese message for people.

The CLI prints `str(error)` and exits with `error.exit_code`; no traceback for anything here.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_PARTIAL = 3
EXIT_LOCKED = 4


class SangkienError(Exception):
    """Base of the expected failures: the message is for the coordinator, in Vietnamese."""

    exit_code = EXIT_FAILED


class ConfigError(SangkienError):
    """Configuration or registry mistake: names the file, the key or the row."""

    exit_code = EXIT_CONFIG


class LockBusy(SangkienError):
    """Another run holds the lock."""

    exit_code = EXIT_LOCKED


class SourceError(SangkienError):
    """A unit's source could not be read. `code` is a source-level finding code of SPEC §4
    (`source_unreachable`, `permission_denied`, …); `detail` says why, in Vietnamese."""

    def __init__(self, code: str, detail: str, **extra: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra


class MasterWriteError(SangkienError):
    """The master could not be written; the previous master is left untouched."""
