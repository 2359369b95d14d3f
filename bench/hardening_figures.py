"""Issue 16's figures, measured over HTTP against `triplane serve --proxy` (a real server in its
own process): what a 300 MB body does to the server's memory, how many forged-address logins
get past the per-address limit, how many of 50 parallel wrong passwords are evaluated, login
time for a known vs an unknown e-mail, which weak passwords sign-up accepts, and how many of
the issue's inputs answer 5xx. It uses only what every version of the app has, so the baseline
is the same script run on the code before the change:

    .venv/bin/python bench/hardening_figures.py [--db postgresql+psycopg://...]
    git archive <before> | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before/src .venv/bin/python bench/hardening_figures.py
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

STRONG = "granite otter lantern 42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--body-mb", type=int, default=300)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or f"sqlite:///{Path(tmp.name) / 'figures.sqlite3'}"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "triplane.cli", "--db", db, "serve", "--port", str(port), "--proxy"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**__import__("os").environ, "TRIPLANE_SIGNUPS_PER_HOUR": "100000"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        run(url, proc.pid, args.body_mb)
    finally:
        proc.terminate()
        proc.wait(10)
        tmp.cleanup()


class Client(httpx.Client):
    """A connection the server drops (as after an unhandled error) counts as a 5xx."""

    def request(self, *a, **kw):  # type: ignore[no-untyped-def, override]
        try:
            return super().request(*a, **kw)
        except httpx.ReadError:
            return httpx.Response(599)


def ip(i: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255 or 1}"}


def run(url: str, pid: int, body_mb: int) -> None:
    c = Client(base_url=url, timeout=120)
    n = iter(range(1, 10**6))

    def signup(email: str, password: str = STRONG, **kw: str) -> httpx.Response:
        body = {"email": email, "password": password, "name": kw.pop("name", "Kim"), **kw}
        return c.post("/api/v1/auth/signup", json=body, headers=ip(next(n)))

    # 2. a 300 MB JSON body, streamed without Content-Length
    def chunks() -> Iterator[bytes]:
        yield b'{"email": "'
        for _ in range(body_mb * 16):
            yield b"a" * 65536
        yield b'", "password": "x", "name": "x"}'

    before = rss_mb(pid)
    try:
        status = c.post(
            "/api/v1/auth/signup", content=chunks(), headers={"content-type": "application/json"}
        ).status_code
    except httpx.HTTPError as exc:
        status = f"connection closed ({type(exc).__name__})"
    print(f"2. {body_mb} MB JSON body to /api/v1/auth/signup: HTTP {status}; server RSS "
          f"{before:.0f} MB before, peak {peak_rss_mb(pid):.0f} MB")  # fmt: skip

    # 3. forged X-Forwarded-For: the attacker varies the left-most address; the proxy appends
    # the real one (right-most). The per-address limit is 30.
    codes = [
        c.post(
            "/api/v1/auth/token",
            json={"email": f"nobody{i}@example.org", "password": "not a password"},
            headers={"X-Forwarded-For": f"203.0.113.{i % 250}, 198.51.100.7"},  # + the proxy's
        ).status_code
        for i in range(180)
    ]
    print(f"3. 180 forged-address logins: {codes.count(401)} evaluated (401), "
          f"{codes.count(429)} refused (429)")  # fmt: skip

    # 4. 50 parallel wrong passwords for one account, each from its own address
    email = f"target{uuid.uuid4().hex[:6]}@example.org"
    signup(email)

    def guess(i: int) -> int:
        with httpx.Client(base_url=url, timeout=120) as cc:
            return cc.post(
                "/api/v1/auth/token",
                json={"email": email, "password": f"wrong guess {i}"},
                headers={"X-Forwarded-For": f"10.77.{i // 250}.{i % 250 + 1}"},
            ).status_code

    with ThreadPoolExecutor(50) as pool:
        par = list(pool.map(guess, range(50)))
    print(f"4. 50 parallel wrong passwords: {par.count(401)} evaluated, {par.count(429)} refused")
    known = f"known{uuid.uuid4().hex[:6]}@example.org"
    signup(known)

    def login_ms(address: str, i: int) -> float:
        t0 = time.perf_counter()
        c.post(
            "/api/v1/auth/token",
            json={"email": address, "password": "wrong password here"},
            headers={"X-Forwarded-For": f"10.88.{i}.1"},
        )
        return (time.perf_counter() - t0) * 1000

    k = statistics.median(login_ms(known, i) for i in range(4))
    u = statistics.median(login_ms(f"nobody-{uuid.uuid4().hex}@example.org", 10 + i)
                          for i in range(4))  # fmt: skip
    print(f"4. login with a wrong password: known e-mail {k:.0f} ms, unknown e-mail {u:.0f} ms")

    # 5. weak passwords at sign-up
    weak = {}
    for label in ("password", "12345678", "8 spaces", "own e-mail"):
        e = f"weak{uuid.uuid4().hex[:6]}@example.org"
        pw = {"8 spaces": " " * 8, "own e-mail": e}.get(label, label)
        weak[label] = signup(e, pw).status_code
    accepted = [k_ for k_, v in weak.items() if v == 201]
    print(f"5. weak passwords accepted at sign-up: {len(accepted)} of 4 {accepted}")

    # 6. the inputs that gave 500
    me = f"dates{uuid.uuid4().hex[:6]}@example.org"
    aid = signup(me).json()["athlete_id"]
    tok = c.post(
        "/api/v1/auth/token", json={"email": me, "password": STRONG}, headers=ip(next(n))
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {tok}"}
    answers: list[tuple[str, int]] = []
    for day in ("0001-01-01", "9999-12-31"):
        for path in ("plan/day", "lunge/next", "profile"):
            r = c.get(f"/api/v1/athletes/{aid}/{path}", params={"date": day}, headers=auth)
            answers.append((f"GET {path}?date={day}", r.status_code))
        r = c.get(f"/api/v1/athletes/{aid}/plan/week", params={"start": day}, headers=auth)
        answers.append((f"GET plan/week?start={day}", r.status_code))
        for path, body in (
            ("logs", {"drill": "pigeon", "date": day}),
            ("check-ins", {"pain": 1, "date": day}),
            ("lunge/logs", {"direction": "anterior", "reps": 5, "discomfort": 0,
                            "balance": "ok", "date": day}),
        ):  # fmt: skip
            r = c.post(f"/api/v1/athletes/{aid}/{path}", json=body, headers=auth)
            answers.append((f"POST {path} date={day}", r.status_code))
    for tz in ("Europe", "America", "Asia"):
        r = signup(f"tz{uuid.uuid4().hex[:6]}@example.org", tz=tz)
        answers.append((f"sign-up tz={tz}", r.status_code))
    page = Client(base_url=url, timeout=60)
    csrf = page.get("/login").text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    page.post("/login", data={"email": me, "password": STRONG, "csrf": csrf}, headers=ip(7))
    for day in ("0001-01-01", "9999-12-31"):
        answers.append((f"page /today?date={day}", page.get(f"/today?date={day}").status_code))
    r = page.get("/drills/pigeon?minutes=nan")
    answers.append(("page /drills/pigeon?minutes=nan", r.status_code))
    token = page.get("/signup").text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    r = page.post("/signup", data={"email": "long@example.org", "password": STRONG, "name": "L",
                                   "tz": "Europe/" + "z" * 300, "csrf": token})  # fmt: skip
    answers.append(("page sign-up tz=300 chars", r.status_code))
    bad = [a for a, s in answers if s >= 500]
    print(f"6. {len(bad)} of {len(answers)} inputs answer 5xx")
    for a in bad:
        print(f"     5xx: {a}")
    # 9. pain: true and Allow on 405
    r = c.post(f"/api/v1/athletes/{aid}/check-ins", json={"pain": True}, headers=auth)
    allow = c.delete("/api/v1/me").headers.get("allow")
    print(f"9. pain=true: HTTP {r.status_code}; 405 Allow header: {allow!r}")


if __name__ == "__main__":
    main()
