"""Synthetic activity files (tests, benchmarks, demo data), written with the formats' libraries."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from triplane.io.activities.parsing import as_utc


def _track(
    start_utc: datetime, duration_s: float, distance_m: float, every_s: int
) -> list[tuple[datetime, float, float, float, float]]:
    """(time, lat, lon, elevation, distance so far) every ``every_s`` seconds along a line."""
    n = max(int(duration_s // every_s), 1)
    lat0, lon0 = 46.05, 14.50
    metres_per_deg = 111_320.0
    out = []
    for i in range(n + 1):
        frac = i / n
        d = distance_m * frac
        out.append(
            (
                start_utc + timedelta(seconds=duration_s * frac),
                lat0 + d / metres_per_deg,
                lon0,
                400.0 + 60.0 * math.sin(frac * math.pi * 3),
                d,
            )
        )
    return out


def synthetic_gpx(
    start_utc: datetime,
    duration_s: float,
    distance_m: float,
    sport: str | None = "running",
    every_s: int = 10,
) -> bytes:
    """A GPX 1.1 track written with gpxpy (``<type>`` = sport when given)."""
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Triplane synthetic"
    track = gpxpy.gpx.GPXTrack(name=f"{sport or 'activity'} {start_utc:%Y-%m-%d}")
    track.type = sport  # type: ignore[assignment,unused-ignore]
    seg = gpxpy.gpx.GPXTrackSegment()
    for t, lat, lon, ele, _d in _track(as_utc(start_utc), duration_s, distance_m, every_s):
        seg.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, elevation=ele, time=t))
    track.segments.append(seg)
    gpx.tracks.append(track)
    return gpx.to_xml(version="1.1").encode()


def synthetic_tcx(
    start_utc: datetime,
    duration_s: float,
    distance_m: float,
    sport: str = "Running",
    every_s: int = 10,
) -> bytes:
    """A TCX activity (Garmin TrainingCenterDatabase v2) built with ElementTree."""
    import xml.etree.ElementTree as ET

    ns = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    ET.register_namespace("", ns)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            el.text = text
        return el

    start = as_utc(start_utc)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    root = ET.Element(f"{{{ns}}}TrainingCenterDatabase")
    act = sub(sub(root, "Activities"), "Activity")
    act.set("Sport", sport)
    sub(act, "Id", start.strftime(stamp))
    lap = sub(act, "Lap")
    lap.set("StartTime", start.strftime(stamp))
    sub(lap, "TotalTimeSeconds", f"{duration_s:.1f}")
    sub(lap, "DistanceMeters", f"{distance_m:.1f}")
    trk = sub(lap, "Track")
    for t, lat, lon, ele, d in _track(start, duration_s, distance_m, every_s):
        tp = sub(trk, "Trackpoint")
        sub(tp, "Time", t.strftime(stamp))
        pos = sub(tp, "Position")
        sub(pos, "LatitudeDegrees", f"{lat:.7f}")
        sub(pos, "LongitudeDegrees", f"{lon:.7f}")
        sub(tp, "AltitudeMeters", f"{ele:.1f}")
        sub(tp, "DistanceMeters", f"{d:.1f}")
    creator = sub(act, "Creator")
    sub(creator, "Name", "Triplane synthetic")
    return bytes(ET.tostring(root, xml_declaration=True, encoding="UTF-8"))


def synthetic_fit(
    start_utc: datetime,
    duration_s: float,
    distance_m: float,
    sport: str = "running",
    every_s: int = 10,
) -> bytes:
    """A FIT activity (file_id, records, lap, session, activity) written with fit-tool."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.message import Message
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    fit_sport = Sport[sport.upper()] if sport.upper() in Sport.__members__ else Sport.GENERIC
    start = as_utc(start_utc)
    ms = round(start.timestamp() * 1000)
    end_ms = ms + round(duration_s * 1000)
    b = FitFileBuilder(auto_define=True, min_string_size=16)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = Manufacturer.DEVELOPMENT.value
    fid.product = 0
    fid.serial_number = 0x54524950
    fid.time_created = ms
    b.add(fid)
    records: list[Message] = []  # add_all takes a list of the base class
    for t, lat, lon, ele, d in _track(start, duration_s, distance_m, every_s):
        r = RecordMessage()
        r.timestamp = round(t.timestamp() * 1000)
        r.position_lat = lat
        r.position_long = lon
        r.altitude = ele
        r.distance = d
        records.append(r)
    b.add_all(records)
    for cls in (LapMessage, SessionMessage):
        m = cls()
        m.timestamp = end_ms
        m.start_time = ms
        m.total_elapsed_time = duration_s
        m.total_timer_time = duration_s
        m.total_distance = distance_m
        m.sport = fit_sport
        b.add(m)
    act = ActivityMessage()
    act.timestamp = end_ms
    act.total_timer_time = duration_s
    act.num_sessions = 1
    b.add(act)
    return bytes(b.build().to_bytes())
