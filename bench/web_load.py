"""Web throughput and latency: 50 concurrent clients on loopback (printed, never asserted).

Every figure is printed next to its baselines, measured in the same run on the same machine:
  - "this": the app of this tree;
  - "base": the app of another commit (default `main`), started from a temporary
    `git worktree` of it, with its own database prepared the same way;
  - "plain FastAPI": a bare FastAPI app with one constant `def` route under the same uvicorn.

Routes (the same authentication for both apps):
  constant+auth  GET /api/v1/ping                    (bearer token; a constant behind the auth)
  plan/day API   GET /api/v1/athletes/{id}/plan/day   (bearer token)
  Today page     GET /today                          (session cookie)
  bare ASGI      GET /bench/bare/                    (a raw ASGI constant behind the middleware)

Targets (issue 17), SQLite with 1 worker: constant+auth >= 2,500 req/s; plan/day >= 1,000 req/s
with p99 <= 100 ms; Today >= 700 req/s with p99 <= 120 ms; zero errors. PostgreSQL with 2
workers: the same, higher. Each figure is the median of --runs runs (this and base alternate,
so a burst of load from elsewhere hits both); the machine's load average is printed too.

Run:  .venv/bin/python bench/web_load.py [--seconds 10] [--runs 3] [--clients 50] [--base main]
      PostgreSQL too when TRIPLANE_TEST_DATABASE_URL (or --pg URL) is set.
Uses `wrk` when installed (apt install wrk), else a Python asyncio/httpx load generator (which
then competes with the server for the CPU: the figures are lower).
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

PLAIN_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/constant")
def constant() -> dict:
    return {"ok": True}
"""

TARGETS = {  # route: (min req/s, max p99 ms)
    "constant+auth": (2500.0, None),
    "plan/day API": (1000.0, 100.0),
    "Today page": (700.0, 120.0),
}


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


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "TRIPLANE_SCHEDULER": "off"}


def wait_up(proc: subprocess.Popen[bytes], base: str, path: str) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"the server at {base} exited ({proc.returncode})")
        try:
            if httpx.get(base + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the server at {base} did not start")


@contextmanager
def served(
    cmd: list[str], port: int, path: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """The server `cmd` starts on `port`, once `path` answers 200; stopped afterwards."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(proc, base, path)
        yield base
    finally:
        proc.terminate()
        proc.wait(20)


@contextmanager
def triplane_server(src: Path, url: str, workers: int) -> Iterator[str]:
    """`triplane serve` of the tree at `src`, on a database prepared by that tree's code."""
    subprocess.run([PY, str(Path(__file__).resolve()), "--prepare", url], env=_env(src), check=True)
    port = free_port()
    cmd = [PY, "-m", "triplane", "--db", url, "serve", "--port", str(port)]
    with served(cmd + ["--workers", str(workers)], port, "/healthz", _env(src)) as base:
        yield base


@contextmanager
def plain_server(workers: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as d:
        Path(d, "plain_app.py").write_text(PLAIN_APP)
        port = free_port()
        cmd = [PY, "-m", "uvicorn", "plain_app:app", "--app-dir", d, "--port", str(port)]
        cmd += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
        with served(cmd, port, "/constant") as base:
            yield base


@contextmanager
def base_tree(ref: str) -> Iterator[Path]:
    """A temporary `git worktree` of `ref` (detached); removed afterwards."""
    d = Path(tempfile.mkdtemp(prefix="web_load_base_"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(d), ref],
        check=True,
        capture_output=True,
    )
    try:
        yield d
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(d)])


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


def routes(base: str) -> dict[str, tuple[str, str | None]]:
    aid, token, session = credentials(base)
    bearer = f"Authorization: Bearer {token}"
    return {
        "constant+auth": (f"{base}/api/v1/ping", bearer),
        "plan/day API": (f"{base}/api/v1/athletes/{aid}/plan/day", bearer),
        "Today page": (f"{base}/today", f"Cookie: tp_session={session}"),
        "bare ASGI": (f"{base}/bench/bare/", None),
    }


def run_wrk(url: str, header: str | None, seconds: int, clients: int) -> dict[str, float]:
    cmd = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--latency", url]
    cmd[1:1] = ["--timeout", "10s"]  # wrk's 2 s default counts a slow answer as an error
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
    # wrk counts a 3xx as fine; nothing here answers with one, so any non-2xx is an error
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(x) for x in sock.groups()) if sock else 0
    )
    if errors and os.environ.get("WEB_LOAD_VERBOSE"):
        print(f"  {url}: {non2xx.group(0) if non2xx else ''} {sock.group(0) if sock else ''}")
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
    httpx.get(url, headers=dict([header.split(": ", 1)]) if header else {})  # warm the caches
    if shutil.which("wrk"):
        return run_wrk(url, header, seconds, clients)
    return asyncio.run(_py_load(url, header, seconds, clients))


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50": statistics.median(r["p50"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


def verdict(name: str, r: dict[str, float]) -> str:
    if name not in TARGETS:
        return ""
    min_rps, max_p99 = TARGETS[name]
    ok = r["rps"] >= min_rps and (max_p99 is None or r["p99"] <= max_p99) and not r["errors"]
    want = f">= {min_rps:.0f}/s" + (f", p99 <= {max_p99:.0f}" if max_p99 else "")
    return f"{'met' if ok else 'MISSED'} ({want})"


def bench(
    label: str, urls: tuple[str, str], workers: int, args: argparse.Namespace, base_src: Path
) -> None:
    load_before = os.getloadavg()
    with (
        triplane_server(ROOT / "src", urls[0], workers) as this,
        triplane_server(base_src / "src", urls[1], workers) as base,
        plain_server(workers) as plain,
    ):
        mine, theirs = routes(this), routes(base)
        results: dict[str, dict[str, list[dict[str, float]]]] = {}
        for name in mine:
            results[name] = {"this": [], "base": []}
            for _ in range(args.runs):
                for who, table in (("this", mine), ("base", theirs)):
                    u, h = table[name]
                    results[name][who].append(load(u, h, args.seconds, args.clients))
        plain_runs = [
            load(f"{plain}/constant", None, args.seconds, args.clients) for _ in range(args.runs)
        ]
    load_after = os.getloadavg()
    gen = "wrk" if shutil.which("wrk") else "python/httpx"
    print(
        f"\n{label}: {workers} worker(s), {args.clients} clients, {args.runs} x {args.seconds} s "
        f"per route and app ({gen}); medians. Base = {args.base}. Load average (1 min) "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores."
    )
    plain_r = median_of(plain_runs)
    print(
        f"{'route':<14} {'req/s':>7} {'p50':>6} {'p99':>6} {'err':>4} | "
        f"{'base/s':>7} {'p99':>6} {'err':>4} | {'x base':>6} {'/plain':>6}  target"
    )
    for name, by in results.items():
        r, b = median_of(by["this"]), median_of(by["base"])
        print(
            f"{name:<14} {r['rps']:>7.0f} {r['p50']:>6.1f} {r['p99']:>6.1f} "
            f"{int(r['errors']):>4} | {b['rps']:>7.0f} {b['p99']:>6.1f} {int(b['errors']):>4} | "
            f"{r['rps'] / b['rps']:>6.2f} {r['rps'] / plain_r['rps']:>6.0%}  {verdict(name, r)}"
        )
    print(
        f"{'plain FastAPI':<14} {plain_r['rps']:>7.0f} {plain_r['p50']:>6.1f} "
        f"{plain_r['p99']:>6.1f} {int(plain_r['errors']):>4} |  (a constant `def` route, "
        "no middleware, no auth)"
    )


@contextmanager
def pg_databases(admin_url: str, n: int) -> Iterator[list[str]]:
    from sqlalchemy import create_engine, text

    names = [f"triplane_bench_{uuid.uuid4().hex[:8]}" for _ in range(n)]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        for name in names:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield [f"{admin_url.rsplit('/', 1)[0]}/{name}" for name in names]
    finally:
        with admin.connect() as c:
            for name in names:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--base", default="main", help="the git ref of the baseline app")
    ap.add_argument("--pg", default=os.environ.get("TRIPLANE_TEST_DATABASE_URL"))
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--prepare", help=argparse.SUPPRESS)  # internal: fill a database, exit
    args = ap.parse_args()
    if args.prepare:
        prepare(args.prepare)
        return
    with base_tree(args.base) as base_src:
        if args.only != "postgresql":
            with tempfile.TemporaryDirectory() as d:
                urls = (f"sqlite:///{d}/this.sqlite3", f"sqlite:///{d}/base.sqlite3")
                bench("SQLite", urls, 1, args, base_src)
        if args.only == "sqlite":
            return
        if not args.pg:
            print("\n(PostgreSQL skipped: set TRIPLANE_TEST_DATABASE_URL or pass --pg URL)")
            return
        with pg_databases(args.pg, 2) as pg:
            bench("PostgreSQL", (pg[0], pg[1]), 2, args, base_src)


if __name__ == "__main__":
    main()
