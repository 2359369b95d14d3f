"""How a phone clip is meant to be shown: the rotation in its MP4/MOV display matrix.

Phones store a portrait clip as landscape frames plus a display matrix (the `tkhd` box of the
video track; ffmpeg shows it as the `rotate` tag or "displaymatrix: rotation"). The frames are
turned by it before pose estimation, so a standing person is upright for the model. Read here
from the file itself (pure Python, the first few megabytes at most), not from the decoder, so
the result does not depend on the OpenCV build (whose automatic rotation is switched off).
"""

from __future__ import annotations

import math
import os
import struct
from typing import BinaryIO

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}
MAX_BOXES = 10_000  # a file with more top-level or nested boxes than this is not parsed further


def _boxes(f: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between `start` and `end`."""
    out: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end and len(out) < MAX_BOXES:
        f.seek(pos)
        head = f.read(8)
        if len(head) < 8:
            break
        size, kind = struct.unpack(">I4s", head)
        body = pos + 8
        if size == 1:
            big = f.read(8)
            if len(big) < 8:
                break
            size = struct.unpack(">Q", big)[0]
            body = pos + 16
        elif size == 0:
            size = end - pos
        if size < body - pos or pos + size > end:
            break
        out.append((kind, body, pos + size))
        pos += size
    return out


def _handler(f: BinaryIO, trak: tuple[bytes, int, int]) -> bytes | None:
    for kind, s, e in _boxes(f, trak[1], trak[2]):
        if kind == b"mdia":
            for k2, s2, _ in _boxes(f, s, e):
                if k2 == b"hdlr":
                    f.seek(s2 + 8)  # version/flags (4), pre_defined (4)
                    return f.read(4)
    return None


def _tkhd_rotation(f: BinaryIO, s: int, e: int) -> int | None:
    f.seek(s)
    version = f.read(1)
    if not version:
        return None
    # version+flags, the times/track id/duration, then reserved, layer, group, volume: 16 bytes
    skip = 4 + (32 if version[0] == 1 else 20) + 16
    f.seek(s + skip)
    raw = f.read(36)
    if len(raw) < 36 or s + skip + 36 > e:
        return None
    a, b, _u, c, d, _v, _x, _y, _w = struct.unpack(">9i", raw)
    if a == b == 0:
        return None
    degrees = math.degrees(math.atan2(b, a))
    return -int(round(degrees / 90.0)) * 90 % 360  # the matrix turns counter-clockwise


def rotation(path: str | os.PathLike[str]) -> int:
    """Clockwise degrees (0, 90, 180 or 270) to turn the stored frames for display; 0 when the
    file is not an MP4/MOV or carries no display matrix."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            for kind, s, e in _boxes(f, 0, size):
                if kind != b"moov":
                    continue
                for k2, s2, e2 in _boxes(f, s, e):
                    if k2 != b"trak" or _handler(f, (k2, s2, e2)) != b"vide":
                        continue
                    for k3, s3, e3 in _boxes(f, s2, e2):
                        if k3 == b"tkhd":
                            return _tkhd_rotation(f, s3, e3) or 0
    except (OSError, struct.error):
        return 0
    return 0
