"""Web throughput and latency: 50 concurrent clients on loopback, 30 s per route (printed, never
asserted). Side by side in the same run, on the same server:

  plan/day API   GET /api/v1/athletes/{id}/plan/day   (bearer token)
  Today page     GET /today                          (session cookie)
  constant+auth  GET /api/v1/ping                    (same app, same authentication, constant)
  bare ASGI      GET /bench/bare                     (a raw ASGI constant: the floor)

Targets (issue 3): plan/day and Today at >= 50% of constant+auth throughput, p99 <= 150 ms,
zero errors; the same on PostgreSQL with 2 workers.

Run:  .venv/bin/python bench/web_load.py [--seconds 30] [--clients 50]
      PostgreSQL too when TRIPLANE_TEST_DATABASE_URL (or --pg URL) is set.
Uses `wrk` when installed (apt install wrk), else a Python asyncio/httpx load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TRIPLANE = Path(sys.executable).with_name("triplane")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str) -> None:
    from triplane.usecases.accounts import Accounts
    from triplane.usecases.demo import create_demo
    from triplane.usecases.service import open_service

    with open_service(url) as svc:
        create_demo(svc, weeks=8, replace=False)
        Accounts(svc.conn, svc).ensure_demo_accounts()


def start(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(TRIPLANE), "--db", url, "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def credentials(base: str) -> tuple[int, str, str]:
    with httpx.Client(base_url=base) as c:
        tok = c.post(
            "/api/v1/auth/token",
            json={"email": "demo@triplane.local", "password": "triplane-demo"},
        ).json()["access_token"]
        me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).json()
        page = c.get("/login").text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        c.post(
            "/login",
            data={"email": "demo@triplane.local", "password": "triplane-demo", "csrf": csrf},
        )
        session = c.cookies.get("tp_session")
    return int(me["athlete_id"]), tok, str(session)


def run_wrk(url: str, header: str | None, seconds: int, clients: int) -> dict[str, float]:
    cmd = ["wrk", "-t", "4", "-c", str(clients), "-d", f"{seconds}s", "--latency", url]
    if header:
        cmd[1:1] = ["-H", header]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(x) for x in sock.groups()) if sock else 0
    )
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "errors": errors, "n": total}


async def _py_load(url: str, header: str | None, seconds: int, clients: int) -> dict[str, float]:
    headers = dict([header.split(": ", 1)]) if header else {}
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as c:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t = time.perf_counter()
                try:
                    r = await c.get(url)
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                lat.append((time.perf_counter() - t) * 1000)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    q = statistics.quantiles(lat, n=100)
    return {"rps": len(lat) / elapsed, "p50": q[49], "p99": q[98], "errors": errors, "n": len(lat)}


def load(url: str, header: str | None, seconds: int, clients: int) -> dict[str, float]:
    if shutil.which("wrk"):
        return run_wrk(url, header, seconds, clients)
    return asyncio.run(_py_load(url, header, seconds, clients))


def bench(label: str, url: str, workers: int, seconds: int, clients: int) -> None:
    prepare(url)
    proc, base = start(url, workers)
    try:
        aid, token, session = credentials(base)
        bearer = f"Authorization: Bearer {token}"
        cookie = f"Cookie: tp_session={session}"
        routes = [
            ("plan/day API", f"{base}/api/v1/athletes/{aid}/plan/day", bearer),
            ("Today page", f"{base}/today", cookie),
            ("constant+auth", f"{base}/api/v1/ping", bearer),
            ("bare ASGI", f"{base}/bench/bare", None),
        ]
        results = {}
        for name, u, h in routes:
            httpx.get(u, headers=dict([h.split(": ", 1)]) if h else {})  # warm the cache
            results[name] = load(u, h, seconds, clients)
        const = results["constant+auth"]["rps"]
        gen = "wrk" if shutil.which("wrk") else "python/httpx"
        print(f"\n{label}: {workers} worker(s), {clients} clients, {seconds} s per route ({gen})")
        print(
            f"{'route':<15} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs const':>9}"
        )
        for name, r in results.items():
            print(
                f"{name:<15} {r['rps']:>9.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
                f"{int(r['errors']):>7} {r['rps'] / const:>8.0%}"
            )
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--pg", default=os.environ.get("TRIPLANE_TEST_DATABASE_URL"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        bench("SQLite", f"sqlite:///{d}/bench.sqlite3", 1, args.seconds, args.clients)
    if args.pg:
        from sqlalchemy import create_engine, text

        name = f"triplane_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            bench(
                "PostgreSQL", f"{args.pg.rsplit('/', 1)[0]}/{name}", 2, args.seconds, args.clients
            )
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        print("\n(PostgreSQL skipped: set TRIPLANE_TEST_DATABASE_URL or pass --pg URL)")


if __name__ == "__main__":
    main()
