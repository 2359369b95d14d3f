"""A day of one athlete's reminders as sent, per channel (issue 15's closing note).

Runs `triplane reminders run --once --now ...` every 5 minutes over one day against a fresh
SQLite file, with the local stand-ins the tests use: an aiosmtpd server, an HTTP server playing
ntfy and another playing a browser's push service (the payloads are decrypted with the
subscription's private key). Prints what each channel received, and when.

    .venv/bin/python scripts/reminders_day.py [--day 2026-12-07] [--digest]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from local_services import Browser, body_of, http_server, smtp_server  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--day", default="2026-12-07")
    p.add_argument("--digest", action="store_true")
    args = p.parse_args()
    day = date.fromisoformat(args.day)
    from triplane.cli import main as cli

    with tempfile.TemporaryDirectory() as d, smtp_server() as smtp, http_server() as ntfy, \
            http_server() as push:  # fmt: skip
        db = f"sqlite:///{d}/day.sqlite3"
        os.environ.update(
            TRIPLANE_SMTP_URL=smtp.url, TRIPLANE_SMTP_FROM="Triplane <reminders@triplane.test>",
            TRIPLANE_NTFY_URL=ntfy.url, TRIPLANE_PUBLIC_URL="https://triplane.example.org",
        )  # fmt: skip

        def run(*a: str) -> str:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = cli(["--db", db, *a])
            if code:
                raise SystemExit(f"triplane {' '.join(a)} failed")
            return out.getvalue()

        run("athlete", "add", "Sam", "--work-hours", "09:00-17:00", "--run-days", "mon,wed,fri",
            "--run-time", "18:00", "--wake", "06:30", "--sleep", "22:30")  # fmt: skip
        extra = ["--digest", "--digest-time", "07:00"] if args.digest else []
        run("reminders", "set", "--channels", "push,email,ntfy", "--email", "sam@example.org",
            "--ntfy-topic", "sam-hips", "--lead", "5", "--quiet", "21:00-06:45",
            *extra)  # fmt: skip
        browser = Browser(f"{push.url}/push/sams-phone")
        from triplane.usecases.reminders import Reminders
        from triplane.usecases.service import open_service

        with open_service(db) as svc:
            sub = browser.subscription()
            Reminders(svc.conn, svc).subscribe(
                svc.athlete("Sam"), sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"]
            )
        print(f"$ triplane plan day --date {day}")
        print(run("plan", "day", "--date", day.isoformat()))
        print(run("reminders", "show"))
        at = datetime.combine(day, time(5, 0))
        seen = {"email": 0, "ntfy": 0, "push": 0}
        print(f"Stepping `triplane reminders run --once --now` every 5 minutes over {day}:")
        while at.date() == day:
            run("reminders", "run", "--once", "--now", at.isoformat())
            for m in smtp.messages[seen["email"] :]:
                first = body_of(m).strip().splitlines()[0]
                print(f"  {at:%H:%M} email  to {m['To']}: {m['Subject']!r} / {first[:70]!r}")
            for r in ntfy.received[seen["ntfy"] :]:
                import json

                b = json.loads(r.body)
                print(f"  {at:%H:%M} ntfy   topic {b['topic']}: {b['title']!r} -> {b['click']}")
            for r in push.received[seen["push"] :]:
                pl = browser.decrypt(r)
                print(f"  {at:%H:%M} push   (decrypted) {pl['title']!r} opens {pl['url']}")
            seen = {"email": len(smtp.messages), "ntfy": len(ntfy.received),
                    "push": len(push.received)}  # fmt: skip
            at += timedelta(minutes=5)
        print()
        print("$ triplane reminders log")
        print(run("reminders", "log"))


if __name__ == "__main__":
    main()
