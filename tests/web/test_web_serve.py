"""`triplane serve` as people run it: TLS with a given certificate (Secure cookies, HSTS), the
reverse-proxy mode, the demo logins, and `triplane user reset-password EMAIL`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

TRIPLANE = Path(sys.executable).with_name("triplane")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db_url: str, *args: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    proc = subprocess.Popen(
        [str(TRIPLANE), "--db", db_url, "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, port


def wait(url: str, proc: subprocess.Popen[str]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read() if proc.stdout else "server exited")
        try:
            httpx.get(url + "/healthz", verify=False, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


@pytest.fixture
def cert(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if not shutil.which("openssl"):
        pytest.skip("needs openssl to make a test certificate")
    crt, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True,
    )  # fmt: skip
    yield crt, key


def login(c: httpx.Client, email: str, password: str) -> httpx.Response:
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text)
    assert token is not None
    return c.post("/login", data={"email": email, "password": password, "csrf": token.group(1)})


def test_tls_secure_cookies_and_hsts(db_url: str, cert: tuple[Path, Path], cli: Any) -> None:
    proc, port = serve(db_url, "--certfile", str(cert[0]), "--keyfile", str(cert[1]))
    url = f"https://127.0.0.1:{port}"
    try:
        wait(url, proc)
        with httpx.Client(base_url=url, verify=False) as c:
            r = c.get("/healthz")
            assert r.status_code == 200
            assert r.headers["strict-transport-security"].startswith("max-age=")
            c.post(
                "/api/v1/auth/signup",
                json={"email": "t@example.org", "password": "tls passphrase", "name": "T"},
            )
            r = login(c, "t@example.org", "tls passphrase")
            cookie = r.headers["set-cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    finally:
        proc.terminate()
        proc.wait(10)


def test_behind_a_reverse_proxy(db_url: str) -> None:
    proc, port = serve(db_url, "--proxy")
    url = f"http://127.0.0.1:{port}"
    try:
        wait(url, proc)
        with httpx.Client(base_url=url, headers={"X-Forwarded-Proto": "https"}) as c:
            c.post(
                "/api/v1/auth/signup",
                json={"email": "p@example.org", "password": "proxy passphrase", "name": "P"},
            )
            r = login(c, "p@example.org", "proxy passphrase")
            assert "Secure" in r.headers["set-cookie"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_says_what_is_wrong(cli: Any, tmp_path: Path) -> None:
    r = cli("serve", "--certfile", str(tmp_path / "missing.pem"), "--keyfile", "x.pem")
    assert r.code == 1 and "does not exist" in r.err
    r = cli("serve", "--certfile", str(tmp_path / "missing.pem"))
    assert r.code == 1 and "both --certfile and --keyfile" in r.err


def test_reset_password_from_the_server(cli: Any, db_url: str) -> None:
    from triplane.usecases.accounts import Accounts
    from triplane.usecases.service import open_service

    with open_service(db_url) as svc:
        Accounts(svc.conn, svc).signup("r@example.org", "forgotten words", "R")
    r = cli("user", "reset-password", "R@example.org")
    assert r.code == 0, r.err
    temporary = r.out.split(": ", 1)[1].splitlines()[0].strip()
    with open_service(db_url) as svc:
        acc = Accounts(svc.conn, svc)
        assert acc.login("r@example.org", temporary).email == "r@example.org"
    r = cli("user", "reset-password", "nobody@example.org")
    assert r.code == 1 and "no account for nobody@example.org" in r.err


def test_demo_accounts_are_created_once(db_url: str) -> None:
    from triplane.usecases.accounts import Accounts
    from triplane.usecases.demo import create_demo
    from triplane.usecases.service import open_service

    with open_service(db_url) as svc:
        create_demo(svc, weeks=1)
        first = Accounts(svc.conn, svc).ensure_demo_accounts()
    with open_service(db_url) as svc:
        again = Accounts(svc.conn, svc).ensure_demo_accounts()
        coach = Accounts(svc.conn, svc).user_by_email("coach@triplane.local")
        linked = Accounts(svc.conn, svc).linked_athletes(coach)
    assert first == again and [a.name for a in linked] == ["demo"]
