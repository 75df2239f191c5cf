"""A real SMTP server on loopback (aiosmtpd) for the dunning tests: what it received, parsed back;
plain, STARTTLS or implicit TLS with certificates made for the test by the `openssl` CLI (on
every machine the tests run on, no Python dependency for it)."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")


@dataclass
class Mailbox:
    """What the server received; `refuse` makes it answer 451 to those recipients; `kill_at`
    kills `victim` (the batch's process) when that many messages have arrived; `logins` are the
    (user, password) pairs it was given."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    kill_at: int = 0
    victim: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.refuse:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            if self.kill_at and len(self.messages) == self.kill_at and self.victim:
                os.kill(self.victim, signal.SIGKILL)
        return "250 2.0.0 OK"

    def to(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(
    box: Mailbox,
    *,
    security: str = "none",
    certificate: tuple[Path, Path] | None = None,
    user: str = "",
    password: str = "",
) -> Iterator[int]:
    """Serve on a free loopback port (yielded) until the block ends. `security`: none, starttls
    (offered, and required before AUTH) or tls (implicit, from the first byte); `certificate`:
    the server's (cert, key) files. With `user`, AUTH is required and only that pair passes."""
    options: dict[str, Any] = {}
    context = None
    if certificate is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*map(str, certificate))
    if user:

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> Any:
            given = (data.login.decode(), data.password.decode())
            box.logins.append(given)
            return aiosmtpd_smtp.AuthResult(success=given == (user, password))

        options |= {"authenticator": authenticate, "auth_required": True}
    if security == "starttls":
        options |= {"tls_context": context, "require_starttls": True}
    else:  # (aiosmtpd does not count implicit TLS as TLS for AUTH: it is, from the first byte)
        options |= {"auth_require_tls": False}
    port = free_port()
    controller = aiosmtpd_controller.Controller(
        box, hostname="127.0.0.1", port=port,
        ssl_context=context if security == "tls" else None, **options,
    )  # fmt: skip
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@dataclass(frozen=True)
class Certificates:
    ca: Path  # the authority the client is told to trust
    server: tuple[Path, Path]  # (cert, key) signed by `ca`, for 127.0.0.1 and localhost
    stranger: tuple[Path, Path]  # (cert, key) signed by another authority nobody trusts


def make_certificates(folder: Path) -> Certificates:
    """A test authority and a server certificate it signed, and one from another authority."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n", "utf-8")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    def authority(name: str) -> None:
        openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=relance test {name}",
        )  # fmt: skip

    def signed(name: str, by: str) -> tuple[Path, Path]:
        openssl(
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", "/CN=127.0.0.1",
        )  # fmt: skip
        openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", f"{by}.pem", "-CAkey", f"{by}.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", "san.ext",
        )  # fmt: skip
        return folder / f"{name}.pem", folder / f"{name}.key"

    authority("ca")
    authority("other-ca")
    return Certificates(
        ca=folder / "ca.pem", server=signed("server", "ca"), stranger=signed("stranger", "other-ca")
    )
