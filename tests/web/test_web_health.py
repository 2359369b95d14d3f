"""Health that tells the truth (issue 16 §8): with the disk full (SQLite on a small, really full
tmpfs) or the database read-only (PostgreSQL set read-only), writes answer 503 with the real
cause, and /healthz (which writes a row) says which, then recovers."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import Live, start_server
from pgdb import pg_database


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"needs to mount a small tmpfs (root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_named_and_healthz_says_so(small_disk: Path) -> None:
    db = f"sqlite:///{small_disk / 'web.sqlite3'}"
    server, thread, url = start_server(db)
    try:
        a = Live(url, db).signup()
        c, aid = a["client"], a["athlete_id"]
        filler = small_disk / "filler"
        try:  # (the disk may be full already: then the file is not even made)
            with open(filler, "wb") as f:
                while True:
                    f.write(b"x" * 65536)
                    f.flush()
        except OSError:
            pass
        for _ in range(2000):  # the WAL takes writes until it has to grow
            r = c.post(
                f"/api/v1/athletes/{aid}/logs",
                json={"drill": "pigeon", "minutes": 2, "client_id": uuid.uuid4().hex},
            )
            if r.status_code != 201:
                break
        assert r.status_code == 503 and "disk is full" in r.json()["detail"], r.text
        health = httpx.get(url + "/healthz")
        assert health.status_code == 503 and health.json()["status"] == "disk_full"
        filler.unlink(missing_ok=True)
        assert httpx.get(url + "/healthz").json() == {"status": "ok"}
        again = c.post(f"/api/v1/athletes/{aid}/logs", json={"drill": "pigeon", "minutes": 2})
        assert again.status_code == 201
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_read_only_database_is_named_and_healthz_says_so() -> None:
    from sqlalchemy import create_engine, text

    with pg_database("triplane_ro") as db:
        server, thread, url = start_server(db)
        name = db.rsplit("/", 1)[1]
        admin = create_engine(
            os.environ["TRIPLANE_TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT"
        )

        def read_only(on: bool) -> None:  # as when a primary fails over to a standby
            with admin.connect() as conn:
                conn.execute(
                    text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {on}')
                )
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )

        try:
            a = Live(url, db).signup()
            c, aid = a["client"], a["athlete_id"]
            assert httpx.get(url + "/healthz").json() == {"status": "ok"}
            read_only(True)
            r = c.post(f"/api/v1/athletes/{aid}/logs", json={"drill": "pigeon", "minutes": 2})
            assert r.status_code == 503 and "read-only" in r.json()["detail"], r.text
            health = httpx.get(url + "/healthz")
            assert health.status_code == 503 and health.json()["status"] == "read_only"
            assert c.get(f"/api/v1/athletes/{aid}/plan/day").status_code == 200  # reads work
            read_only(False)
            assert httpx.get(url + "/healthz").json() == {"status": "ok"}
        finally:
            server.should_exit = True
            thread.join(10)
            admin.dispose()
            from triplane.store.db import make_engine

            make_engine(db).dispose()
