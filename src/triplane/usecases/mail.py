"""E-mails Triplane sends that are not reminders: the password-reset link (issue 15).

The e-mail goes out through the queue (triplane.usecases.tasks: procrastinate on PostgreSQL, this
process's runner on SQLite), so a slow mail server never holds up a page. The link's address
is TRIPLANE_PUBLIC_URL, never the request's Host header (which a sender can forge).
"""

from __future__ import annotations

from sqlalchemy import Engine

from triplane import config
from triplane.core.errors import Conflict
from triplane.usecases.accounts import RESET_MINUTES, Accounts


class EmailUnavailable(Conflict):
    """No SMTP on this server (a conflict: the request is fine, the server's set-up does not
    allow it; only the administrator's `triplane user reset-password` works)."""


NO_EMAIL = (
    "this server cannot send e-mail, so a reset link cannot be sent; ask the server's "
    "administrator to run `triplane user reset-password EMAIL`"
)
SENT = (
    "if there is an account for {email}, a reset link is on its way to it; the link works "
    "once, for {minutes} minutes"
)


def send_reset_link(engine: Engine, email: str) -> str:
    """Queue the reset e-mail for this address (when it has an account); the sentence to show,
    the same whether or not the account exists."""
    from triplane.usecases import tasks

    if config.smtp() is None:
        raise EmailUnavailable(NO_EMAIL)
    with engine.begin() as conn:
        made = Accounts(conn).request_reset(email)
    if made is not None:
        user, secret = made
        link = f"{config.public_url()}/reset/{secret}"
        text = (
            f"Hello {user.name},\n\nsomeone (we hope you) asked to reset the password of your "
            f"Triplane account. Choose a new one here:\n\n{link}\n\nThe link works once, for "
            f"{RESET_MINUTES} minutes. If you did not ask, ignore this e-mail: your password "
            "stays as it is.\n\nTriplane\n"
        )
        tasks.defer(engine, "send_email", lock=f"reset:{user.id}", to=user.email,
                    subject="Triplane: reset your password", text=text)  # fmt: skip
    return SENT.format(email=(email or "").strip().lower()[:254], minutes=RESET_MINUTES)
