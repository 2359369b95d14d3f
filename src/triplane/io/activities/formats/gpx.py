"""GPX (GPS Exchange Format, XML), read with gpxpy: recorded tracks; routes are refused."""

from __future__ import annotations

from triplane.io.activities.model import EARLIEST_START, RawActivity, SkippedFile
from triplane.io.activities.parsing import as_utc, decode_xml, short_error, xml_error, xml_sniff
from triplane.io.activities.registry import ActivityFormat, register
from triplane.io.activities.sports import normalise_sport


def _parse_gpx(name: str, data: bytes) -> RawActivity | SkippedFile:
    import gpxpy
    import gpxpy.gpx

    text = decode_xml(name, data, "GPX")
    if isinstance(text, SkippedFile):
        return text
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as e:
        return xml_error(name, "GPX", e)
    except gpxpy.gpx.GPXException as e:
        return SkippedFile(name, f"is not a valid GPX file ({short_error(e, 100)})")

    points = [p for track in gpx.tracks for seg in track.segments for p in seg.points]
    if not points:
        if gpx.routes:
            return SkippedFile(
                name, "is a planned route, not a recorded track, so there is no run in it"
            )
        return SkippedFile(name, "has no track points, so there is no activity in it")
    timed = [p.time for p in points if p.time is not None]
    if len(timed) * 2 < len(points):
        detail = "" if not timed else f" (only {len(timed)} of {len(points)} points have one)"
        return SkippedFile(name, f"has no timestamps{detail}, so Triplane can't tell when you ran")
    start = min(timed)
    end = max(timed)
    if end == start:
        when = f" ({as_utc(start):%Y-%m-%d})" if as_utc(start) < EARLIEST_START else ""
        return SkippedFile(
            name,
            f"has the same timestamp on every point{when}, so the device's clock was "
            "probably not set",
        )
    sport_raw = next((t.type for t in gpx.tracks if t.type), None)
    try:
        distance: float | None = gpx.length_2d()
    except (ValueError, ArithmeticError):
        distance = None
    gain: float | None = None
    if any(p.elevation is not None for p in points):
        try:
            gain = gpx.get_uphill_downhill().uphill
        except (ValueError, ArithmeticError, TypeError):
            gain = None
    return RawActivity(
        sport=normalise_sport(sport_raw),
        start=start,
        duration_s=(as_utc(end) - as_utc(start)).total_seconds(),
        distance_m=distance,
        gain_m=gain,
        device=(gpx.creator or None),
    )


register(
    ActivityFormat(
        kind="gpx",
        label="GPX",
        extensions=(".gpx",),
        sniff=xml_sniff(b"<gpx"),
        parse=_parse_gpx,
        xml_root="<gpx>",
    )
)
