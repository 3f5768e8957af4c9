"""The request a handler sees and the response it returns (no HTTP details leak into handlers)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sync.testbench.errors import ApiError, invalid_argument
from sync.testbench.state import Store, TokenInfo


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON, str → text, bytes → as is, None → empty
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ApiRequest:
    method: str
    path: str
    params: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]
    store: Store
    match: dict[str, str] = field(default_factory=dict)
    token: TokenInfo | None = None
    api_method: str = ""

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[0] if values else default

    def param_list(self, name: str) -> list[str]:
        return list(self.params.get(name, []))

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.param(name)
        if value is None:
            return default
        return value.lower() in ("true", "1", "yes")

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body)
        except ValueError:
            raise invalid_argument(
                "Invalid JSON payload received. Unexpected token.\n"
                + self.body[:40].decode("utf-8", "replace")
            ) from None
        if not isinstance(data, dict):
            raise invalid_argument(
                'Invalid JSON payload received. Unknown name "": Root element must be a message.'
            )
        return data

    @property
    def principal(self) -> str:
        return self.token.principal if self.token else "anonymous"


__all__ = ["ApiError", "ApiRequest", "Response"]
