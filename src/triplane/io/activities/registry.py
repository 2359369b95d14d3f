"""The activity formats Triplane reads, each registered by its module in ``formats/``.

A format is one :class:`ActivityFormat`: its kind, the extensions a folder walk or a zip looks
for, how to recognise its content (``sniff``) and how to read it (``parse``). A module in
``formats/`` calls :func:`register` once; ``formats/__init__.py`` imports the modules in sniff
order. Everything else (folders, zips, gzip, the checks every format shares, the messages
naming the formats) reads this registry, so a new format is one new file plus one name in that
import line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from triplane.io.activities.model import RawActivity, SkippedFile
from triplane.io.activities.parsing import is_xml

#: parse(display name, uncompressed bytes) -> what was read, or why the file was skipped.
#: May raise SourceError; any other exception becomes a "could not be read" skip.
Parse = Callable[[str, bytes], RawActivity | SkippedFile]


@dataclass(frozen=True)
class ActivityFormat:
    kind: str  # "fit": ParsedActivity.format, stored with each activity
    label: str  # "FIT": how sentences name it
    extensions: tuple[str, ...]  # (".fit",), lower case; ".gz" after them is understood
    sniff: Callable[[bytes], bool]  # the (uncompressed) content is in this format
    parse: Parse
    #: XML formats: the root element ("<gpx>"), for "it is XML but has no <gpx> element".
    xml_root: str | None = None
    #: Binary formats: why content under this extension isn't one ("it doesn't start with a
    #: FIT header").
    bad_content: str = "its content is not in this format"


_FORMATS: dict[str, ActivityFormat] = {}


def register(fmt: ActivityFormat) -> ActivityFormat:
    """Add a format (called once by its module in ``formats/``); sniffed in registration order."""
    if fmt.kind in _FORMATS:
        raise ValueError(f"activity format {fmt.kind!r} is registered twice")
    taken = {ext for f in _FORMATS.values() for ext in f.extensions}
    if clash := taken.intersection(fmt.extensions):
        raise ValueError(f"activity format {fmt.kind!r}: extension {min(clash)} is taken")
    _FORMATS[fmt.kind] = fmt
    return fmt


def all_formats() -> tuple[ActivityFormat, ...]:
    """Every registered format, in sniff order."""
    import triplane.io.activities.formats  # noqa: F401  (its modules register themselves)

    return tuple(_FORMATS.values())


def labels(
    formats: tuple[ActivityFormat, ...] | None = None, *, also: str = "", last: str = "or"
) -> str:
    """ "FIT, GPX or TCX" (``also="zip"``: "FIT, GPX, TCX or zip"): formats for a sentence."""
    names = [f.label for f in (all_formats() if formats is None else formats)]
    names += [also] if also else []
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def strip_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def format_for_name(name: str) -> ActivityFormat | None:
    """The format a file name's extension (before any ``.gz``) says, if any."""
    ext = PurePosixPath(strip_gz(name).replace("\\", "/")).suffix.lower()
    return next((f for f in all_formats() if ext in f.extensions), None)


def sniff(name: str, data: bytes) -> ActivityFormat | SkippedFile:
    """The format of ``data`` (uncompressed), from its content; the name only words the reason.

    The reason, when none matches, is one sentence: the extension's format and what is wrong
    with the content, or what the content is.
    """
    for fmt in all_formats():
        if fmt.sniff(data):
            return fmt
    if data[:4] == b"PK\x03\x04":
        return SkippedFile(name, "is a zip archive: import the zip file itself, not its content")
    named = format_for_name(name)
    xml = is_xml(data)
    xml_formats = tuple(f for f in all_formats() if f.xml_root is not None)
    if xml and xml_formats:
        if named is not None and named.xml_root is not None:
            return SkippedFile(
                name, f"is not a {named.label} file: it is XML but has no {named.xml_root} element"
            )
        if len(xml_formats) == 1:
            return SkippedFile(name, f"is an XML file but not {xml_formats[0].label}")
        prefix = "neither " if len(xml_formats) == 2 else "none of "
        last = "nor" if len(xml_formats) == 2 else "or"
        return SkippedFile(name, f"is an XML file but {prefix}{labels(xml_formats, last=last)}")
    if named is not None:
        why = "it isn't XML" if named.xml_root is not None else named.bad_content
        return SkippedFile(name, f"is not a {named.label} file: {why}; export it again")
    return SkippedFile(name, f"is not a {labels()} file")
