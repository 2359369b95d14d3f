"""Benchmark: a backup taken while `triplane serve` takes writes (SQLite, WAL).

Four clients post log entries over HTTP; once N writes are acknowledged the baseline copies the
database file as `cp` would, then `triplane backup --out` runs; the writers go on. For each
copy: how many of the writes acknowledged before it began are missing from it (the file copy
misses what is still in the WAL), its time, and how many web accounts `export` + `import`
bring over without and with --accounts (logins that work after a restore).

    .venv/bin/python bench/backup_under_load.py [--writes 1000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

TRIPLANE = [sys.executable, "-m", "triplane.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stored(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT client_id FROM drill_logs")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--writes", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "live.sqlite3"
        url = f"sqlite:///{db}"
        port = free_port()
        server = subprocess.Popen(
            [*TRIPLANE, "--db", url, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            run(folder, db, url, base, args.writes)
        finally:
            server.terminate()
            server.wait(10)


def run(folder: Path, db: Path, url: str, base: str, writes: int) -> None:
    c = httpx.Client(base_url=base, timeout=60)
    users = []
    for i in range(3):
        email, pw = f"u{i}-{uuid.uuid4().hex[:6]}@example.org", "granite otter lantern 42"
        me = c.post("/api/v1/auth/signup", json={"email": email, "password": pw, "name": f"U{i}"})
        users.append((email, pw, me.json()["athlete_id"]))
    tok = c.post("/api/v1/auth/token", json={"email": users[0][0], "password": users[0][1]})
    token, aid = tok.json()["access_token"], users[0][2]
    acked: list[tuple[float, str]] = []
    stop = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(base_url=base, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as w:  # fmt: skip
            while not stop.is_set():
                cid = f"w{n}-{uuid.uuid4().hex[:10]}"
                r = w.post(
                    f"/api/v1/athletes/{aid}/logs",
                    json={"drill": "pigeon", "minutes": 2, "client_id": cid},
                )
                if r.status_code == 201:
                    acked.append((time.monotonic(), cid))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    while len(acked) < writes:
        time.sleep(0.02)
    results = []
    t0 = time.monotonic()
    shutil.copyfile(db, folder / "copy.sqlite3")  # the baseline: `cp triplane.sqlite3 ...`
    t1 = time.monotonic()
    results.append(("cp of the database file", t0, t1 - t0, folder / "copy.sqlite3"))
    t0 = time.monotonic()
    out = folder / "backup.sqlite3"
    done = subprocess.run([*TRIPLANE, "--db", url, "backup", "--out", str(out)],
                          capture_output=True, text=True)  # fmt: skip
    t1 = time.monotonic()
    assert done.returncode == 0, done.stderr
    results.append(("triplane backup", t0, t1 - t0, out))
    time.sleep(0.5)
    stop.set()
    for th in threads:
        th.join(30)
    print(f"{len(acked)} writes acknowledged in all, 4 writers over HTTP")
    for name, began, seconds, path in results:
        before = {cid for at, cid in acked if at < began}
        try:
            missing = len(before - stored(path))
        except sqlite3.DatabaseError as exc:
            missing = f"unreadable ({exc})"  # type: ignore[assignment]
        print(f"  {name:<26} {seconds:6.2f} s: {missing} of {len(before)} acknowledged "
              f"writes missing")  # fmt: skip
    for accounts in (False, True):
        flag = ["--accounts"] if accounts else []
        exported = subprocess.run([*TRIPLANE, "--db", url, "export", *flag],
                                  capture_output=True, text=True)  # fmt: skip
        path = folder / f"export-{accounts}.json"
        path.write_text(exported.stdout)
        new = f"sqlite:///{folder / f'new-{accounts}.sqlite3'}"
        subprocess.run([*TRIPLANE, "--db", new, "import", str(path), *flag], capture_output=True)
        with sqlite3.connect(folder / f"new-{accounts}.sqlite3") as conn:
            n = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        size = len(json.loads(exported.stdout).get("athletes", []))
        print(f"  export + import{' --accounts' if accounts else '':<11}: {size} athletes, "
              f"{n} of {len(users)} accounts (logins) restored")  # fmt: skip


if __name__ == "__main__":
    main()
