"""The one family of errors a person reads: every use case, rule and loader raises these.

An error is one sentence a person can act on. When it is about one input, `field` names that
input as the core and the use cases call it (a `SettingsChange` field such as `daily_minutes`,
or `athlete`, `date`...), and the sentence writes `{field}` where it names it: each face puts
its own word there (`--daily-minutes` on the command line, the form's label on the web; the API
keeps the field's name). Faces map the classes to an exit code or an HTTP status in one place
each (cli `_report`, web `errors.http_status`); nothing here knows about either.

This module lives in the core because the core's own loaders raise it too (CatalogueError).
"""

from __future__ import annotations

FIELD = "{field}"  # where a sentence names its field


class TriplaneError(Exception):
    """A user-facing error: the message is one sentence a person can act on."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def sentence(self, label: str | None = None) -> str:
        """The sentence with `label` (the face's word for the field) where it names it."""
        if self.field is None:
            return self.message
        return self.message.replace(FIELD, label or default_label(self.field))

    def __str__(self) -> str:
        return self.sentence()


def default_label(field: str) -> str:
    """A field's name in words (daily_minutes -> daily minutes), for faces with no own word."""
    return field.replace("_", " ")


class Invalid(TriplaneError):
    """The input is wrong (a value out of range, a malformed date...)."""


class NotFound(TriplaneError):
    """What was asked for does not exist (or is not this person's to see)."""


class Conflict(TriplaneError):
    """The request clashes with what is stored (a name taken, a database not empty...)."""


class Unauthenticated(TriplaneError):
    """Nobody is signed in, or the credentials are wrong."""


class Forbidden(TriplaneError):
    """Signed in, but not allowed to do this."""


class TooManyAttempts(TriplaneError):
    """Rate-limited: try again later."""


class TooLarge(TriplaneError):
    """An upload or a file is over its size limit."""


class Unavailable(TriplaneError):
    """A part this needs is not installed or not set up on this machine."""


class DataError(TriplaneError, ValueError):
    """Packaged or coach-supplied data (catalogue, figures) is wrong; the sentence names the
    file, the entry and the field."""
