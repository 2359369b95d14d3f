"""Small helpers a format's parser may use: UTC times, short error texts, XML decoding."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from triplane.io.activities.model import SkippedFile


def as_utc(t: datetime) -> datetime:
    """An aware UTC datetime; naive times are UTC (the formats define them so)."""
    if t.tzinfo is None or t.utcoffset() is None:
        return t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def short_error(e: BaseException, limit: int = 160) -> str:
    """An exception's text on one line, cut to ``limit`` characters."""
    text = str(e).strip().replace("\n", " ") or type(e).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def duration_text(s: float) -> str:
    s = int(round(s))
    if s < 120:
        return f"{s} seconds"
    if s < 7200:
        return f"{s // 60} minutes"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def is_xml(data: bytes) -> bool:
    """The content starts like XML (after a byte-order mark and white space)."""
    return xml_head(data).startswith(b"<")


def xml_head(data: bytes) -> bytes:
    """The first 64 KiB without a byte-order mark or leading white space."""
    return data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")


def xml_sniff(marker: bytes) -> Callable[[bytes], bool]:
    """A sniff for an XML format: the content is XML and its head holds ``marker`` (lower
    case), e.g. ``xml_sniff(b"<gpx")``."""

    def sniff(data: bytes) -> bool:
        head = xml_head(data)
        return head.startswith(b"<") and marker in head.lower()

    return sniff


def decode_xml(name: str, data: bytes, label: str) -> str | SkippedFile:
    """The text of an XML file: UTF-8, else the encoding its declaration names."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    m = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", data)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return SkippedFile(name, f"is not a readable {label} file: its text is not valid UTF-8")


def xml_error(name: str, label: str, e: BaseException) -> SkippedFile:
    cause = getattr(e, "original_exception", None) or e
    return SkippedFile(
        name,
        f"is not valid XML ({short_error(cause, 100)}), so it can't be read as {label}; "
        "it may be cut short: export it again",
    )
