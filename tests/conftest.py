"""Shared test set-up.

- Every `tests/fixtures_*.py` module is loaded here, so each area keeps its fixtures in its own file.
- No test reaches the internet: sockets may only connect to loopback (Google traffic goes to the
  testbench, mail to a local SMTP server). Anything else fails closed with an error.
"""

from __future__ import annotations

import importlib
import ipaddress
import socket
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

for _path in sorted(HERE.glob("fixtures_*.py")):
    _module = importlib.import_module(_path.stem)
    globals().update({k: v for k, v in vars(_module).items() if not k.startswith("_")})


def _is_loopback(address: object) -> bool:
    if isinstance(address, str):  # AF_UNIX path
        return True
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may not leave this machine (tried {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may not leave this machine (tried {address!r})")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
