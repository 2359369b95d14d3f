"""E-mails Triplane sends that are not reminders: the password-reset link (issue 15) and the
sign-up link (issue 16).

The e-mail goes out through the queue (triplane.usecases.tasks: procrastinate on PostgreSQL, this
process's runner on SQLite), so a slow mail server never holds up a page. The link's address
is TRIPLANE_PUBLIC_URL, never the request's Host header (which a sender can forge).
"""

from __future__ import annotations

from sqlalchemy import Engine

from triplane import config
from triplane.core.errors import Conflict
from triplane.usecases.accounts import RESET_MINUTES, SIGNUP_LINK_HOURS, Accounts


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


# ---- sign-up (issue 16): the answer never says whether an address has an account ---------------

CHECK_EMAIL = (
    "check your e-mail: we sent a message to {email}. To finish signing up, open the link in "
    "it within {hours} hours"
)


def verifies_signups() -> bool:
    """A server that sends e-mail confirms every sign-up by an e-mailed link. Without SMTP
    (local mode: one person's own server, `make run`, the demo) a sign-up makes the account
    at once, and a taken address is refused, which tells that it has an account."""
    return config.smtp() is not None


def send_signup_link(
    engine: Engine, email: str, password: str, name: str, role: str, tz: str | None
) -> str:
    """Check the sign-up and e-mail the address: a single-use link that makes the account
    (a new address), or a note that someone tried to sign up with a reset link (an address
    with an account, which is left as it is). The same sentence, and the same work, either way."""
    from triplane.usecases import tasks

    with engine.begin() as conn:
        outcome, detail = Accounts(conn).request_signup(email, password, name, role, tz)
    address = (email or "").strip().lower()[:254]
    base = config.public_url()
    if outcome == "confirm":
        who, secret = detail
        text = (
            f"Hello {who},\n\nto finish creating your Triplane account, open this link:\n\n"
            f"{base}/signup/confirm/{secret}\n\nIt works once, for {SIGNUP_LINK_HOURS} hours. "
            "If you did not sign up, ignore this e-mail: no account is made.\n\nTriplane\n"
        )
        tasks.defer(engine, "send_email", lock=f"signup:{address}", to=address,
                    subject="Triplane: confirm your sign-up", text=text)  # fmt: skip
    elif outcome == "taken":
        user, reset = detail
        link = f"{base}/reset/{reset}" if reset else f"{base}/forgot"
        text = (
            f"Hello {user.name},\n\nsomeone (perhaps you) tried to sign up to Triplane with "
            "this address, which already has an account. Nothing was changed.\n\nIf it was "
            f"you: log in at {base}/login, or if you forgot your password, choose a new one "
            f"here:\n\n{link}\n\n"
            + (f"That link works once, for {RESET_MINUTES} minutes. " if reset else "")
            + "If it was not you, ignore this e-mail: your account stays as it is.\n\nTriplane\n"
        )
        tasks.defer(engine, "send_email", lock=f"signup:{address}", to=user.email,
                    subject="Triplane: someone tried to sign up with your address",
                    text=text)  # fmt: skip
    return CHECK_EMAIL.format(email=address, hours=SIGNUP_LINK_HOURS)
