"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

- `smtp_server`: plain SMTP on 127.0.0.1 and a free port; `.messages` are the received mails
  (envelope sender, recipients and the parsed message); `.stop()` / `.start()` take it down and
  bring it back on the same port (a mail server that is down, then up again).
- `smtp_server_factory(tls=True, users={"user": "password"})`: STARTTLS with a self-signed
  certificate (trusted through `SSL_CERT_FILE`, set by the factory) and AUTH LOGIN/PLAIN.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None = None

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.raw, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        return msg


class _Handler:
    def __init__(self, box: list[Received]) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else (
            session.auth_data.login.decode() if session.auth_data is not None
            and hasattr(session.auth_data, "login") else None)
        self.box.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                 bytes(envelope.original_content or envelope.content), login))
        return "250 OK"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class SmtpServer:
    port: int
    host: str = "127.0.0.1"
    tls_context: ssl.SSLContext | None = None
    users: dict[str, str] = field(default_factory=dict)
    messages: list[Received] = field(default_factory=list)
    _controller: Any = None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        kwargs: dict[str, Any] = {}
        if self.tls_context is not None:
            kwargs.update(tls_context=self.tls_context, require_starttls=True)
        if self.users:
            def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                              data: Any) -> AuthResult:
                ok = (isinstance(data, LoginPassword)
                      and self.users.get(data.login.decode()) == data.password.decode())
                return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

            kwargs.update(authenticator=authenticator, auth_required=True,
                          auth_require_tls=self.tls_context is not None)
        self._controller = Controller(_Handler(self.messages), hostname=self.host,
                                      port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self, security: str = "none", username: str | None = None,
               password_env: str | None = None) -> str:
        """The `[email]` TOML section that points the product at this server."""
        lines = ['\n[email]', 'transport = "smtp"',
                 'from = "Ban Tuyên giáo CĐXDVN <sangkien@congdoan.example>"',
                 '[email.smtp]', f'host = "{self.host}"', f"port = {self.port}",
                 f'security = "{security}"', "timeout_s = 5"]
        if username:
            lines.append(f'username = "{username}"')
        if password_env:
            lines.append(f'password_env = "{password_env}"')
        return "\n".join(lines) + "\n"


@pytest.fixture
def smtp_server_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                        ) -> Iterator[Callable[..., SmtpServer]]:
    servers: list[SmtpServer] = []

    def make(tls: bool = False, users: dict[str, str] | None = None) -> SmtpServer:
        context = None
        if tls:
            cert, key = self_signed(tmp_path)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our certificate
        server = SmtpServer(free_port(), tls_context=context, users=users or {}).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SmtpServer]) -> SmtpServer:
    return smtp_server_factory()
