"""`triplane backup` while the server takes writes, then `triplane restore` into a new database:
every write acknowledged before the backup began is there, and people log in as before (issue
16 §1). On SQLite (the online backup API) and PostgreSQL (one REPEATABLE READ snapshot)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import Live, start_server
from pgdb import pg_database

TRIPLANE = Path(sys.executable).with_name("triplane")


def cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRIPLANE), "--db", db, *args], capture_output=True, text=True, timeout=300
    )


@contextmanager
def database(kind: str, tmp_path: Path, name: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / name}.sqlite3"
        return
    with pg_database(f"triplane_{name}") as url:
        yield url


@contextmanager
def serving(db: str) -> Iterator[Live]:
    server, thread, url = start_server(db)
    try:
        yield Live(url, db)
    finally:
        server.should_exit = True
        thread.join(10)
        from triplane.store.db import make_engine

        make_engine(db).dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_backup_under_write_load_then_restore(kind: str, tmp_path: Path) -> None:
    with database(kind, tmp_path, "live") as db, database(kind, tmp_path, "restored") as new:
        out = tmp_path / ("backup.sqlite3" if kind == "sqlite" else "backup.json")
        with serving(db) as live:
            coach = live.signup("coach", "Coach")
            athlete = live.signup("athlete", "Runner")
            live.link(coach, athlete)
            aid = athlete["athlete_id"]
            feed = athlete["client"].post(f"/api/v1/athletes/{aid}/calendar-token").json()["url"]
            acked: list[tuple[float, str]] = []
            stop = threading.Event()
            lock = threading.Lock()

            def writer(n: int) -> None:
                with live.client(headers={"Authorization": f"Bearer {athlete['token']}"}) as c:
                    while not stop.is_set():
                        cid = f"w{n}-{uuid.uuid4().hex[:10]}"
                        r = c.post(
                            f"/api/v1/athletes/{aid}/logs",
                            json={"drill": "pigeon", "minutes": 2, "client_id": cid},
                        )
                        if r.status_code == 201:
                            with lock:
                                acked.append((time.monotonic(), cid))

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
            for th in threads:
                th.start()
            while len(acked) < 40:
                time.sleep(0.05)
            started = time.monotonic()
            done = cli(db, "backup", "--out", str(out))
            while len(acked) < 80 + sum(1 for at, _ in acked if at < started):
                time.sleep(0.05)  # writes go on after the backup too
            stop.set()
            for th in threads:
                th.join(30)
            assert done.returncode == 0, done.stderr
            assert "keep it private" in done.stdout
            assert out.stat().st_mode & 0o077 == 0  # readable by its owner only
            before = {cid for at, cid in acked if at < started}
        restored = cli(new, "restore", str(out))
        assert restored.returncode == 0, restored.stderr
        assert "2 account(s)" in restored.stdout
        with serving(new) as again:
            with again.client() as c:
                for who in (coach, athlete):
                    r = c.post(
                        "/api/v1/auth/token",
                        json={"email": who["email"], "password": who["password"]},
                    )
                    assert r.status_code == 200, r.text
                tok = r.json()["access_token"]
                rows = c.get(
                    f"/api/v1/athletes/{aid}/log", headers={"Authorization": f"Bearer {tok}"}
                ).json()
                # the old bearer token and the calendar address still work: tokens came along
                old = c.get("/api/v1/me", headers={"Authorization": f"Bearer {coach['token']}"})
                assert old.status_code == 200 and old.json()["email"] == coach["email"]
                path = "/calendar/" + feed.rsplit("/calendar/", 1)[1]
                assert c.get(path).status_code == 200
                linked = c.get(
                    "/api/v1/coach/athletes", headers={"Authorization": f"Bearer {coach['token']}"}
                ).json()
                assert [a["id"] for a in linked] == [aid]
            # new rows get new ids (PostgreSQL's sequences were moved past the restored ids)
            c2 = again.client(headers={"Authorization": f"Bearer {tok}"})
            r = c2.post(f"/api/v1/athletes/{aid}/logs", json={"drill": "pigeon", "minutes": 1})
            assert r.status_code == 201, r.text
        entries = [e for e in rows if e["kind"] == "drill"]
        assert len(entries) >= len(before) >= 40
        with open_db(new) as conn:
            stored = set(conn.exec_driver_sql("SELECT client_id FROM drill_logs").scalars())
        missing = before - stored
        assert not missing, f"{len(missing)} acknowledged writes lost"


@contextmanager
def open_db(url: str) -> Iterator[Any]:
    from triplane.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def test_restore_refuses_a_database_with_data_and_damaged_files(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    assert cli(db, "athlete", "add", "Sam", "--tz", "UTC").returncode == 0
    out = tmp_path / "b.sqlite3"
    assert cli(db, "backup", "--out", str(out)).returncode == 0
    again = cli(db, "restore", str(out))
    assert again.returncode == 1 and "already holds data" in again.stderr
    assert "Traceback" not in again.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "triplane-backup", "version": 1, "tables": {')
    r = cli(f"sqlite:///{tmp_path / 'c.sqlite3'}", "restore", str(bad))
    assert r.returncode == 1 and "truncated" in r.stderr
    r = cli(f"sqlite:///{tmp_path / 'c.sqlite3'}", "restore", str(tmp_path / "none"))
    assert r.returncode == 1 and "does not exist" in r.stderr
    # nothing half-restored: the database is still empty and takes a good backup
    r = cli(f"sqlite:///{tmp_path / 'c.sqlite3'}", "restore", str(out))
    assert r.returncode == 0, r.stderr


def test_every_table_is_in_the_backup(tmp_path: Path) -> None:
    """Driven by the schema: a table added later (reminders...) is backed up too."""
    import sqlite3

    from triplane.store import schema as t

    db = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    out = tmp_path / "b.sqlite3"
    assert cli(db, "backup", "--out", str(out)).returncode == 0
    with sqlite3.connect(out) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {tb.name for tb in t.metadata.sorted_tables} <= names


def test_export_import_with_accounts(tmp_path: Path) -> None:
    import json

    from triplane.usecases.accounts import Accounts
    from triplane.usecases.running import Running
    from triplane.usecases.service import open_service

    old = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    with open_service(old) as svc:
        acc = Accounts(svc.conn, svc)
        runner = acc.signup("runner@example.org", "granite otter lantern", "Runner")
        coach = acc.signup("coach@example.org", "copper finch meadow", "Coach", "coach")
        code = acc.create_invite(coach)
        acc.accept_invite(runner, code)
        Running(svc).create_calendar_token(svc.athlete_by_id(runner.athlete_id or 0))
        acc.issue_token(runner, "api")
    plain = cli(old, "export")
    assert "password_hash" not in plain.stdout
    full = cli(old, "export", "--accounts")
    assert full.returncode == 0 and "keep the file private" in full.stderr
    data = json.loads(full.stdout)
    assert "sensitive" in data["accounts"] and data["accounts"]["tables"]["users"]
    path = tmp_path / "export.json"
    path.write_text(full.stdout)
    new = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    with open_service(new) as svc:  # an athlete first, so the ids move on import
        svc.add_athlete("Someone else", tz="UTC")
    r = cli(new, "import", str(path), "--merge", "--accounts")
    assert r.returncode == 0, r.stderr
    assert "2 account(s)" in r.stdout
    with open_service(new) as svc:
        acc = Accounts(svc.conn, svc)
        user = acc.login("runner@example.org", "granite otter lantern")
        assert user.athlete_id is not None and svc.athlete_by_id(user.athlete_id).name == "Runner"
        coach2 = acc.login("coach@example.org", "copper finch meadow")
        assert [a.name for a in acc.linked_athletes(coach2)] == ["Runner"]
        assert Running(svc).calendar_token_status(svc.athlete_by_id(user.athlete_id))["active"]
    again = cli(new, "import", str(path), "--merge", "--accounts")
    assert again.returncode == 1 and "both in the export and the database" in again.stderr
    no_accounts = cli(new, "import", str(tmp_path / "x.json"), "--accounts")
    assert no_accounts.returncode == 1
