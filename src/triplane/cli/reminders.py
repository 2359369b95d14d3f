"""`triplane reminders set | show | run | test | log` (issue 15): reminders on Web Push, e-mail
and ntfy. usecases.reminders (and the senders) are imported inside the commands, so `plan day
--json` starts without them."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from triplane.cli.app import AthleteOpt, G, JsonOpt, app, service
from triplane.cli.output import emit_json

rem = typer.Typer(
    help="Reminders on Web Push, e-mail and ntfy: settings, sending, a test.",
    no_args_is_help=True,
)
app.add_typer(rem, name="reminders")


def _engine() -> Any:
    from triplane.store.db import open_engine

    return open_engine(G.db, G.demo)


@rem.command("set")
def reminders_set(
    athlete: AthleteOpt = None,
    channels: Annotated[
        str | None,
        typer.Option("--channels", help="Comma-separated: push,email,ntfy ('' for none)."),
    ] = None,
    lead: Annotated[
        int | None, typer.Option("--lead", help="Minutes before each snack (default 0).")
    ] = None,
    quiet: Annotated[
        str | None,
        typer.Option("--quiet", help="Quiet hours like 21:00-07:00 ('none' to clear)."),
    ] = None,
    digest: Annotated[
        bool | None,
        typer.Option("--digest/--no-digest", help="One daily plan digest instead."),
    ] = None,
    digest_time: Annotated[
        str | None, typer.Option("--digest-time", help="HH:MM of the digest (07:00).")
    ] = None,
    weekly: Annotated[
        bool | None,
        typer.Option("--weekly/--no-weekly", help="The weekly review by e-mail (Mondays)."),
    ] = None,
    pause_days: Annotated[
        int | None,
        typer.Option("--pause-days", help="No reminders for N days from today (0 resumes)."),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="Where e-mails go (default: the account's e-mail)."),
    ] = None,
    ntfy_topic: Annotated[
        str | None, typer.Option("--ntfy-topic", help="This athlete's ntfy topic.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Choose channels, lead time, quiet hours, the digest, a pause."""

    with service() as svc:
        a = svc.athlete(athlete)
        r = svc.reminders
        r.set_prefs(
            a, channels=channels, lead_minutes=lead, quiet_hours=quiet, digest=digest,
            digest_time=digest_time, weekly_review=weekly, pause_days=pause_days,
            email=email, ntfy_topic=ntfy_topic,
        )  # fmt: skip
        data = r.settings_json(a)
    if as_json:
        emit_json(data)
    else:
        _print_settings(a.name, data)


@rem.command("show")
def reminders_show(athlete: AthleteOpt = None, as_json: JsonOpt = False) -> None:
    """The settings and today's reminders as the plan has them now."""

    with service() as svc:
        a = svc.athlete(athlete)
        r = svc.reminders
        data = r.settings_json(a)
        data["today"] = [
            {"at": x.at.strftime("%H:%M"), "kind": x.kind, "title": x.title, "key": x.key}
            for x in r.day_reminders(a, a.today())
        ]
    if as_json:
        emit_json(data)
        return
    _print_settings(a.name, data)
    print("Today:" if data["today"] else "Today: no reminders.")
    for x in data["today"]:
        print(f"  {x['at']}  {x['title']}")


@rem.command("run")
def reminders_run(
    once: Annotated[
        bool, typer.Option("--once", help="Send what is due now, then exit (for cron).")
    ] = False,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Pretend it is this time (ISO; UTC without an offset)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the reminders that are due (every minute until stopped, or --once)."""
    from triplane.usecases import reminders as r

    engine = _engine()
    try:
        while True:
            sent = r.run_once(engine, r.parse_now(now))
            if as_json:
                emit_json(sent)
            else:
                _print_sent(sent)
            if once:
                return
            time.sleep(60 - time.time() % 60)
    finally:
        engine.dispose()


@rem.command("test")
def reminders_test(athlete: AthleteOpt = None, as_json: JsonOpt = False) -> None:
    """Send one reminder now on every configured channel; say what happened on each."""
    from triplane.usecases import reminders as r

    with service() as svc:
        a = svc.athlete(athlete)
    engine = _engine()
    try:
        outcomes = r.send_test(engine, a)
    finally:
        engine.dispose()
    if as_json:
        emit_json([o.as_dict() for o in outcomes])
    else:
        for o in outcomes:
            print(f"{o.channel}: {o.status} - {o.detail}")
    if all(o.status != "sent" for o in outcomes):
        raise typer.Exit(1)


@rem.command("log")
def reminders_log(athlete: AthleteOpt = None, as_json: JsonOpt = False) -> None:
    """What was sent, on which channel, and what failed (with the reason)."""

    with service() as svc:
        a = svc.athlete(athlete)
        rows = svc.reminders.deliveries(a)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        print(f"No reminders sent to {a.name} yet.")
    for x in rows:
        tries = f" (after {x['attempts']} tries)" if x["attempts"] > 1 else ""
        print(f"{x['at'][:16]}  {x['channel']:<5} {x['status']}{tries}  {x['title']}")
        if x["status"] == "failed":
            print(f"      {x['detail']}")


def _print_settings(name: str, d: dict[str, Any]) -> None:
    chans = ", ".join(d["channels"]) or "none"
    print(f"Reminders for {name}: {chans}")
    lead = d["lead_minutes"]
    print(f"  {'at the start of each snack' if not lead else f'{lead} min before each snack'}")
    if d["digest"]:
        print(f"  a daily digest at {d['digest_time']} instead of one per snack")
    if d["quiet_hours"]:
        print(f"  quiet hours {d['quiet_hours']}")
    if d["paused_until"]:
        print(f"  paused up to and including {d['paused_until']}")
    print(f"  e-mail: {d['email'] or 'none'}; ntfy topic: {d['ntfy_topic'] or 'none'}; "
          f"browsers: {d['push_devices']}")  # fmt: skip
    off = [k for k, v in d["available"].items() if not v]
    if off:
        print(f"  not set up on this server: {', '.join(off)}")


def _print_sent(sent: list[dict[str, Any]]) -> None:
    if not sent:
        print("Nothing due.")
    for item in sent:
        chans = "; ".join(f"{c['channel']} {c['status']}" for c in item["channels"])
        print(f"athlete {item['athlete_id']} {item['key']}: {chans}")
