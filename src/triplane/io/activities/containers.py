"""Containers: the paths a person names, folders, zips (zips inside zips) and gzip.

:func:`iter_activity_files` walks what the person named and yields an :class:`ActivitySource`
(a name and a loader) per candidate file, or a :class:`SkippedFile` when something can't even
be opened (a member whose path climbs out of the archive, a zip bomb, a missing path). Nothing
is ever extracted to disk. Which files are candidates is the registry's list of extensions.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from triplane.io.activities.model import ActivitySource, SkippedFile, SourceError
from triplane.io.activities.registry import all_formats, labels, strip_gz

#: Largest single activity file (uncompressed). A 24-hour run recorded every second is ~4 MB as
#: FIT and ~30 MB as GPX with extensions.
MAX_FILE_BYTES = 128 * 1024 * 1024
#: Largest total of activity files read out of one zip (all nested zips included).
MAX_ZIP_TOTAL_BYTES = 8 * 1024 * 1024 * 1024
#: Compression ratio above which a zip member or gzip file is refused as a bomb. Real activity
#: files compress 3:1 (FIT) to about 20:1 (verbose GPX); zeros compress 1000:1.
MAX_RATIO = 100
#: Below this uncompressed size the ratio rule doesn't apply (tiny files have odd ratios).
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 200_000
#: An export zip may hold zips (Garmin's "UploadedFiles_0-_Part1.zip"); no deeper than that.
MAX_ZIP_DEPTH = 2


def _kind_from_name(name: str) -> str | None:
    """A registered format's kind, or "zip", from a file name (a ".gz" after it is unpacked)."""
    low = strip_gz(name.lower())
    for fmt in all_formats():
        if low.endswith(fmt.extensions):
            return fmt.kind
    if low.endswith(".zip"):
        return "zip"
    return None


def _unsafe_member(name: str) -> bool:
    """True for a zip member path that is absolute or climbs out of the archive's folder."""
    p = name.replace("\\", "/")
    if p.startswith("/") or re.match(r"^[A-Za-z]:", p):
        return True
    return any(part == ".." for part in p.split("/"))


def _size_text(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(
                f"is {_size_text(size)}, larger than any activity file "
                f"(limit {_size_text(MAX_FILE_BYTES)}), so it was not read"
            )
        return path.read_bytes()
    except OSError as e:
        raise SourceError(f"could not be read ({e.strerror or e})") from e


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except RuntimeError as e:  # encrypted member
        raise SourceError(f"could not be read from the zip ({e})") from e
    except NotImplementedError as e:  # compression method zipfile doesn't know
        raise SourceError(f"uses a compression method Triplane can't read ({e})") from e
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        raise SourceError(f"is damaged inside the zip ({e}); export it again") from e
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(
            f"unpacks to more than {_size_text(MAX_FILE_BYTES)}: refused as a possible zip bomb"
        )
    return data


@dataclass
class _Budget:
    total: int = 0


def _iter_zip(
    display: str, zf: zipfile.ZipFile, depth: int, budget: _Budget
) -> Iterator[ActivitySource | SkippedFile]:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        yield SkippedFile(
            display,
            f"holds {len(infos)} entries, more than any export ({MAX_ZIP_MEMBERS}); "
            "nothing was read from it",
        )
        return
    offsets = [i.header_offset for i in infos]
    if len(set(offsets)) != len(offsets):
        yield SkippedFile(
            display,
            "is malformed: several entries point at the same data (a zip bomb trick); "
            "nothing was read from it",
        )
        return
    found = 0
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        member = f"{display}/{name.lstrip('/')}"
        if _unsafe_member(name):
            yield SkippedFile(
                member,
                "has a path that climbs out of the archive ('..' or an absolute path); "
                "Triplane left it alone",
            )
            continue
        base = PurePosixPath(name.replace("\\", "/")).name
        if name.startswith("__MACOSX/") or base.startswith("._"):
            continue  # macOS resource forks, not activities
        kind = _kind_from_name(name)
        if kind is None:
            continue  # photos, CSV, JSON of an export: not ours
        found += 1
        if info.file_size > MAX_FILE_BYTES:
            yield SkippedFile(
                member,
                f"unpacks to {_size_text(info.file_size)}, more than any activity file: "
                "refused as a possible zip bomb",
            )
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            yield SkippedFile(
                member,
                f"is compressed {ratio:.0f} to 1, far more than any real activity file: "
                "refused as a possible zip bomb",
            )
            continue
        budget.total += info.file_size
        if budget.total > MAX_ZIP_TOTAL_BYTES:
            yield SkippedFile(
                display,
                f"unpacks to more than {_size_text(MAX_ZIP_TOTAL_BYTES)} of activity files: "
                "the rest of it was not read; split the export and import the parts",
            )
            return
        if kind == "zip":
            if depth >= MAX_ZIP_DEPTH:
                yield SkippedFile(member, "is a zip inside a zip inside a zip: unpack it first")
                continue
            try:
                inner = _read_member(zf, info)
                inner_zf = zipfile.ZipFile(io.BytesIO(inner))
            except SourceError as e:
                yield SkippedFile(member, str(e))
                continue
            except (zipfile.BadZipFile, OSError, ValueError) as e:
                yield SkippedFile(member, f"is not a readable zip archive ({e})")
                continue
            yield from _iter_zip(member, inner_zf, depth + 1, budget)
        else:
            yield ActivitySource(member, partial(_read_member, zf, info))
    if found == 0 and depth == 1:
        yield SkippedFile(display, f"holds no {labels()} files")


def _open_zip(display: str, path: Path) -> Iterator[ActivitySource | SkippedFile]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        yield SkippedFile(display, f"is not a readable zip archive ({e})")
        return
    # The ZipFile stays open as long as a loader refers to it (closed when collected).
    yield from _iter_zip(display, zf, 1, _Budget())


def _is_zip_file(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def iter_activity_files(paths: Iterable[Path | str]) -> Iterator[ActivitySource | SkippedFile]:
    """Every candidate activity file under ``paths``, in a stable order.

    - a file: yielded whatever its extension (parse_activity says if it is not an activity);
    - a folder: walked recursively (symlinked folders are not followed); only files with a
      registered format's extension (``.fit``, ``.gpx``, ``.tcx``; also with ``.gz`` after it)
      and ``.zip`` files are considered, others ignored;
    - a zip (Garmin or Strava export): its members as above, zips inside it one level deep, read
      in memory with limits on size, compression ratio and paths (see module constants).

    Display names are the path as given, with the member path inside a zip after a ``/``.
    """
    for raw in paths:
        path = Path(raw)
        display = str(raw)
        if not path.exists():
            yield SkippedFile(display, "does not exist: check the path")
        elif path.is_dir():
            found = 0
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__MACOSX"]
                for fname in sorted(files):
                    kind = _kind_from_name(fname)
                    if kind is None or fname.startswith("._"):
                        continue
                    found += 1
                    fpath = Path(root) / fname
                    shown = str(Path(display) / fpath.relative_to(path))
                    if kind == "zip":
                        yield from _open_zip(shown, fpath)
                    else:
                        yield ActivitySource(shown, partial(_read_file, fpath))
            if found == 0:
                yield SkippedFile(display, f"holds no {labels(also='zip')} files")
        elif _is_zip_file(path):
            yield from _open_zip(display, path)
        else:
            yield ActivitySource(display, partial(_read_file, path))


def unpack(data: bytes) -> bytes:
    """A file's content: gunzipped (with the bomb limits) when it is gzip, else as it is."""
    if data[:2] != b"\x1f\x8b":
        return data
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, MAX_FILE_BYTES + 1)
    except zlib.error as e:
        raise SourceError(f"is a damaged gzip file ({e}); export it again") from e
    if len(out) > MAX_FILE_BYTES:
        raise SourceError(
            f"unpacks to more than {_size_text(MAX_FILE_BYTES)}: refused as a possible gzip bomb"
        )
    if len(out) >= RATIO_FLOOR_BYTES and len(out) / max(len(data), 1) > MAX_RATIO:
        raise SourceError(
            f"is compressed {len(out) / max(len(data), 1):.0f} to 1, far more than any real "
            "activity file: refused as a possible gzip bomb"
        )
    if not d.eof:
        raise SourceError("is a gzip file that ends early; copy it again")
    return out


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with a fixed mtime (so the same input gives the same bytes); for tests and tools."""
    return gzip.compress(data, mtime=0)
