"""The three ways a message reaches a runner (issue 15): e-mail over SMTP, ntfy, Web Push.

Each sender returns a short sentence saying what was reached, or raises `DeliveryFailed` with
the reason (`gone` when a Web Push subscription no longer exists: 404/410). Nothing here knows
the database; the VAPID key pair is made and stored by triplane.usecases.reminders.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from triplane import config

TIMEOUT = 15.0
PUSH_TTL = 60 * 60  # a push not delivered within an hour is dropped by the push service


class DeliveryFailed(Exception):
    def __init__(self, reason: str, gone: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone


# ---- e-mail ------------------------------------------------------------------------------------


def send_email(to: str, subject: str, text: str) -> str:
    """Send a plain-text e-mail through TRIPLANE_SMTP_URL."""
    server = config.smtp()
    if server is None:
        raise DeliveryFailed(f"e-mail is not set up on this server ({config.SMTP_URL} is unset)")
    msg = EmailMessage()
    msg["From"] = server.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=server.host)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    try:
        if server.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout,
                context=ssl.create_default_context(),
            )  # fmt: skip
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                smtp.login(server.user, server.password or "")
            refused = smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(f"the mail server refused {to}: {_smtp_reason(exc)}") from None
    except smtplib.SMTPAuthenticationError:
        raise DeliveryFailed("the mail server refused the login in TRIPLANE_SMTP_URL") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(
            f"could not send through {server.host}:{server.port} ({_smtp_reason(exc)})"
        ) from None
    if refused:
        raise DeliveryFailed(f"the mail server refused {', '.join(refused)}")
    return f"e-mailed {to}"


def _smtp_reason(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:200]


# ---- ntfy --------------------------------------------------------------------------------------


def send_ntfy(topic: str, title: str, message: str, click: str | None = None) -> str:
    """Publish to TRIPLANE_NTFY_URL (JSON publishing: UTF-8 safe titles)."""
    base = config.ntfy_url()
    if base is None:
        raise DeliveryFailed(f"ntfy is not set up on this server ({config.NTFY_URL} is unset)")
    body: dict[str, Any] = {"topic": topic, "title": title, "message": message, "tags": ["hip"]}
    if click:
        body["click"] = click
    headers = {"Content-Type": "application/json"}
    token = config.ntfy_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        base + "/", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 - configured URL
            resp.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"ntfy answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(f"could not reach ntfy at {base} ({reason})") from None
    return f"published to ntfy topic {topic}"


# ---- Web Push ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def send_push(sub: Subscription, private_pem: str, payload: dict[str, Any]) -> str:
    """Encrypt (RFC 8291, aes128gcm) and post one message to a browser's push service, signed
    with the installation's VAPID key (RFC 8292)."""
    try:
        from py_vapid import Vapid
        from pywebpush import WebPushException, webpush
    except ImportError:
        raise DeliveryFailed(
            "not set up: Web Push needs the web extra here (pip install 'triplane[web]')"
        ) from None

    vapid = Vapid.from_pem(private_pem.encode())
    try:
        webpush(
            {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
            data=json.dumps(payload),
            vapid_private_key=vapid,
            vapid_claims={"sub": config.vapid_subject()},
            ttl=PUSH_TTL,
            timeout=TIMEOUT,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            raise DeliveryFailed(
                f"the browser's subscription has expired ({status}); it was removed", gone=True
            ) from None
        what = f"answered {status}" if status else f"failed ({str(exc)[:120]})"
        raise DeliveryFailed(f"the push service {what}") from None
    except Exception as exc:  # noqa: BLE001 - requests' errors, bad keys: a reason, not a crash
        raise DeliveryFailed(
            f"could not reach the push service ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None
    host = sub.endpoint.split("/")[2] if "//" in sub.endpoint else sub.endpoint[:40]
    return f"pushed to a browser via {host}"


def new_vapid_pem() -> tuple[str, str]:
    """A new VAPID key pair: (private key PEM, public key as the browser's
    applicationServerKey, base64url of the uncompressed P-256 point)."""
    from py_vapid import Vapid

    v = Vapid()
    v.generate_keys()
    return v.private_pem().decode(), public_key_b64(v)


def public_key_b64(vapid: Any) -> str:
    import base64

    from cryptography.hazmat.primitives import serialization

    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
