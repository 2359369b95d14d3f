"""Real local stand-ins for the outside services reminders reach (issue 15): an SMTP server
(aiosmtpd) that keeps what it receives, an HTTP server that plays ntfy or a browser's push
service, and a browser-side Web Push key pair that decrypts (RFC 8291, http_ece) and checks
the VAPID JWT (RFC 8292) of what the push service received."""

from __future__ import annotations

import base64
import email
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- SMTP --------------------------------------------------------------------------------------


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def wait(self, n: int, timeout: float = 10.0) -> list[Message]:
        end = time.time() + timeout
        while len(self.messages) < n and time.time() < end:
            time.sleep(0.02)
        return self.messages


@contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            sink.messages.append(email.message_from_bytes(envelope.content))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=sink.host, port=sink.port)
    controller.start()
    ACTIVE_SINKS.append(sink)
    try:
        yield sink
    finally:
        ACTIVE_SINKS.remove(sink)
        controller.stop()


ACTIVE_SINKS: list[SmtpSink] = []  # the running SMTP stand-ins (Live.signup reads its link)


def take_message(to: str, timeout: float = 20.0) -> Message:
    """The first message to `to` in a running SMTP stand-in, taken out of its list (so a test
    counting its own messages does not see it)."""
    end = time.time() + timeout
    while time.time() < end:
        for sink in ACTIVE_SINKS:
            for msg in list(sink.messages):
                if msg["To"] == to:
                    sink.messages.remove(msg)
                    return msg
        time.sleep(0.02)
    raise AssertionError(f"no e-mail to {to} arrived")


def body_of(msg: Message) -> str:
    if msg.is_multipart():
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                return str(part.get_payload(decode=True).decode())  # type: ignore[union-attr]
    payload = msg.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(payload)


# ---- HTTP (ntfy, push service) -----------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpSink:
    port: int
    received: list[Received] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)  # path -> status to answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def json_bodies(self) -> list[Any]:
        return [json.loads(r.body) for r in self.received]


@contextmanager
def http_server() -> Iterator[HttpSink]:
    sink = HttpSink(free_port())
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            code = sink.status.get(self.path, 201)
            with lock:
                if code < 300:
                    sink.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", sink.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


# ---- a browser's side of Web Push --------------------------------------------------------------


def b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A browser's push keys (what PushManager.subscribe makes) for one endpoint."""

    def __init__(self, endpoint: str) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self.endpoint = endpoint
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64u(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64u(self.auth)}}

    def decrypt(self, r: Received) -> dict[str, Any]:
        import http_ece

        assert r.headers.get("content-encoding") == "aes128gcm"
        plain = http_ece.decrypt(
            r.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return dict(json.loads(plain))


def check_vapid(r: Received, expected_public_key: str) -> dict[str, Any]:
    """Check the push request's VAPID Authorization (ES256 JWT signed by the key given in k=,
    which must be the installation's); returns the JWT claims."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    auth = r.headers.get("authorization", "")
    assert auth.startswith("vapid "), auth
    parts = dict(p.strip().split("=", 1) for p in auth[len("vapid ") :].split(","))
    token, k = parts["t"], parts["k"]
    assert k == expected_public_key
    head, claims, sig = token.split(".")
    assert json.loads(unb64u(head)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64u(sig)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(k))
    public.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{head}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )  # raises InvalidSignature when forged
    return dict(json.loads(unb64u(claims)))
