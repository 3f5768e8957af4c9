"""The registry as a tab of a Google Sheet: `[registry] path = "gsheet:<id>#<tab>"`.

One read request: `values:batchGet` of the named tab; without a tab (or with `#gid=N` from a
copied URL) one `spreadsheets.get` with grid data picks it (first visible tab, or that sheet id).
"""

from __future__ import annotations

from collections.abc import Callable

from sync.backends import google_http as gh
from sync.backends.base import Grid
from sync.backends.gsheets import workbook
from sync.backends.gsheets.session import make_api, parse_locator, quote_tab, source_error
from sync.backends.gsheets.sources import get_grid
from sync.config import Config
from sync.errors import SourceError


def registry_loader(config: Config) -> Callable[[str], tuple[Grid, str]]:
    """What `sync.registry.load_registry` calls with the locator: → (cells, label for messages).
    Credentials are loaded on the first call."""

    def load(locator: str) -> tuple[Grid, str]:
        loc = parse_locator(locator)
        api = make_api(config, gh.READONLY_SCOPES)
        try:
            if loc.tab and loc.gid is None:
                try:
                    ranges = api.values_batch_get(loc.spreadsheet_id, [quote_tab(loc.tab)])
                except gh.GoogleApiError as exc:
                    if exc.status == 400 and "Unable to parse range" in exc.message:
                        raise SourceError("source_unreachable",
                                          f"bảng tính không có tab «{loc.tab}»") from None
                    raise
                values = [list(r) for r in (ranges[0] if ranges else {}).get("values", [])]
                return values, f"{locator} (tab «{loc.tab}»)"
            body = get_grid(api, loc.spreadsheet_id)
            data, tab, _ = workbook.from_grid_response(body, gid=loc.gid)
            book = workbook.GoogleValuesWorkbook(data, loc.spreadsheet_id)
            return book.read(tab), f"{locator} (tab «{tab}»)"
        except gh.GoogleApiError as exc:
            raise source_error(exc) from None
        except SourceError:
            raise
        except Exception as exc:
            raise source_error(gh.error_from_exception(exc, loc.spreadsheet_id,
                                                       api.service_account)) from None
        finally:
            api.session.close()

    return load
