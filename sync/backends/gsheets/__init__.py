"""The Google Sheets backend of the workbook interface (issue 5).

| module | job |
|---|---|
| `session.py` | config → `GoogleApi` (scopes per job, one rate limiter per account), locators |
| `workbook.py` | the `gsheet-json` snapshot payload and `GoogleValuesWorkbook` over it |
| `sources.py` | `GoogleSources`: bulk change detection, one read per changed source |
| `master.py` | `GoogleMaster`: staging tabs, RAW values in ≤ 2 MB chunks, atomic swap, cell limit |
| `formats.py` | formatting requests shared by the master and `provision` |
| `registry.py` | `registry_loader` for `gsheet:<id>#<tab>` registries |
| `doctor.py` | `doctor_sources`, `doctor_master` |
| `provision.py` | preparing units' spreadsheets from the template |

HTTP, retries, pacing and routing live in `sync.backends.google_http`. See `docs/google.md`.
"""

from sync.backends.gsheets.doctor import doctor_master, doctor_sources
from sync.backends.gsheets.master import GoogleMaster
from sync.backends.gsheets.registry import registry_loader
from sync.backends.gsheets.sources import GoogleSources
from sync.backends.gsheets.workbook import GoogleValuesWorkbook

__all__ = [
    "GoogleMaster",
    "GoogleSources",
    "GoogleValuesWorkbook",
    "doctor_master",
    "doctor_sources",
    "registry_loader",
]
