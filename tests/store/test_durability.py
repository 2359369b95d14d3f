"""Durability (issue 16): a writer loop on a real SQLite file is killed with SIGKILL at random
moments, round after round; every write it acknowledged (printed after its commit) is there
afterwards, and PRAGMA integrity_check says ok. Bounded in time: at most ROUNDS rounds or
SECONDS seconds, whichever ends first."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROUNDS, SECONDS = 12, 25.0

WRITER = r"""
import sys
from triplane.usecases.service import Service
from triplane.store.db import open_engine

engine = open_engine(sys.argv[1])
start = int(sys.argv[2])
with engine.begin() as conn:
    svc = Service(conn)
    athlete = svc.athletes()[0] if svc.athletes() else svc.add_athlete("Kill", tz="UTC")
print("ready", flush=True)
i = start
while True:
    with engine.begin() as conn:
        Service(conn).log_drill(athlete, "pigeon", None, 2, 1, client_id=f"k{i}")
    print(i, flush=True)  # acknowledged: the commit returned
    i += 1
"""


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "kill.sqlite3"
    url = f"sqlite:///{db}"
    rng = random.Random(int(os.environ.get("TRIPLANE_KILL_SEED", "16")))
    acked: set[str] = set()
    next_id, rounds, began = 0, 0, time.monotonic()
    while rounds < ROUNDS and time.monotonic() - began < SECONDS:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(next_id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        lines: list[str] = []
        reader = threading.Thread(target=lines.extend, args=(proc.stdout,))
        reader.start()
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        reader.join(10)
        got = [line.strip() for line in lines if line.strip().isdigit()]
        acked |= {f"k{n}" for n in got}
        next_id = max([next_id - 1, *map(int, got)]) + 1
        rounds += 1
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = {r[0] for r in conn.execute("SELECT client_id FROM drill_logs")}
        missing = acked - stored
        assert not missing, f"round {rounds}: {len(missing)} acknowledged writes lost"
    assert rounds >= 3 and len(acked) > 0
