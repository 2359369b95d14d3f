"""TCX (Garmin's Training Center XML), read with tcxreader."""

from __future__ import annotations

import io
import re

from triplane.io.activities.model import RawActivity, SkippedFile
from triplane.io.activities.parsing import as_utc, short_error, xml_error, xml_sniff
from triplane.io.activities.registry import ActivityFormat, register
from triplane.io.activities.sports import normalise_sport


def _gain(elevations: list[float | None]) -> float | None:
    """Total ascent with gpxpy's smoothing (raw sums count every wobble of the barometer)."""
    from gpxpy.geo import calculate_uphill_downhill

    values: list[float | None] = [e for e in elevations if e is not None]
    if len(values) < 2:
        return None
    return float(calculate_uphill_downhill(values)[0])


_TCX_CREATOR = re.compile(rb"<Creator\b[^>]*>\s*<Name>([^<]{1,100})</Name>")


def _parse_tcx(name: str, data: bytes) -> RawActivity | SkippedFile:
    from xml.etree.ElementTree import ParseError

    from tcxreader.tcxreader import TCXReader

    try:
        ex = TCXReader().read(io.BytesIO(data), only_gps=False)  # type: ignore[arg-type,unused-ignore]
    except ParseError as e:
        return xml_error(name, "TCX", e)
    except KeyError as e:
        return SkippedFile(name, f"is not a complete TCX file (it lacks {e}); export it again")
    except ValueError as e:
        return SkippedFile(name, f"is not a valid TCX file ({short_error(e, 100)})")
    points = ex.trackpoints or []
    times = [p.time for p in points if p.time is not None]
    if not times:
        return SkippedFile(name, "has no track points with times, so there is no activity in it")
    start = min(as_utc(t) for t in times)
    end = max(as_utc(t) for t in times)
    device = None
    m = _TCX_CREATOR.search(data)
    if m:
        device = m.group(1).decode("utf-8", "replace").strip() or None
    elif getattr(ex, "author", None) is not None and ex.author.name:
        device = str(ex.author.name)
    return RawActivity(
        sport=normalise_sport(ex.activity_type),
        start=start,
        duration_s=(end - start).total_seconds(),
        distance_m=ex.distance if ex.distance else None,
        gain_m=_gain([p.elevation for p in points]),
        device=device,
    )


register(
    ActivityFormat(
        kind="tcx",
        label="TCX",
        extensions=(".tcx",),
        sniff=xml_sniff(b"trainingcenterdatabase"),
        parse=_parse_tcx,
        xml_root="<TrainingCenterDatabase>",
    )
)
