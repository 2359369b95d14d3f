"""Web fixtures: a real uvicorn server on a free loopback port, on a temporary SQLite file (and
on PostgreSQL when TRIPLANE_TEST_DATABASE_URL is set), plus helpers to sign people up."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pgdb import pg_database

pytest.importorskip("fastapi", reason="fastapi is not installed: pip install -e .")
# The suite signs up hundreds of people from 127.0.0.1; the sign-up throttle has its own test.
os.environ.setdefault("TRIPLANE_SIGNUPS_PER_HOUR", "1000000")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    url: str
    db_url: str

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kw)

    def signup(self, role: str = "athlete", name: str | None = None) -> dict[str, Any]:
        """A new account; returns me + token + password + an authorised client."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        password = "correct horse " + uuid.uuid4().hex[:6]
        with self.client() as c:
            r = c.post(
                "/api/v1/auth/signup",
                json={"email": email, "password": password, "name": name or role, "role": role},
            )
            if r.status_code == 202:  # the server sends e-mail: follow the link it sent
                self.deliver_mail()
                me = self.confirm_signup(c, email)
            else:
                assert r.status_code == 201, r.text
                me = r.json()
            tok = c.post("/api/v1/auth/token", json={"email": email, "password": password})
            assert tok.status_code == 200, tok.text
        token = tok.json()["access_token"]
        return {
            **me,
            "password": password,
            "token": token,
            "client": self.client(headers={"Authorization": f"Bearer {token}"}),
        }

    def deliver_mail(self) -> None:
        """PostgreSQL queues e-mail in procrastinate: run a worker until the queue is empty
        (on SQLite the server's own runner sends)."""
        if self.db_url.startswith("postgresql"):
            from triplane.store.db import make_engine
            from triplane.usecases import tasks

            # in a thread of its own: a test may run inside an event loop (Playwright's)
            worker = threading.Thread(target=tasks.run_worker, args=(make_engine(self.db_url),),
                                      kwargs=dict(wait=False, install_signal_handlers=False,
                                                  periodic=False))  # fmt: skip
            worker.start()
            worker.join(120)

    @staticmethod
    def confirm_signup(c: httpx.Client, email: str) -> dict[str, Any]:
        """Confirm a sign-up with the link e-mailed to a running SMTP stand-in."""
        from local_services import body_of, take_message

        link = re.search(r"/signup/confirm/([A-Za-z0-9_-]+)", body_of(take_message(email)))
        assert link is not None
        r = c.post("/api/v1/auth/signup/confirm", json={"token": link.group(1)})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def link(self, coach: dict[str, Any], athlete: dict[str, Any]) -> None:
        code = coach["client"].post("/api/v1/coach/invites").json()["code"]
        r = athlete["client"].post("/api/v1/invites/accept", json={"code": code})
        assert r.status_code == 200, r.text


def start_server(db_url: str, **uvicorn_options: Any) -> tuple[Any, threading.Thread, str]:
    """The app under uvicorn on a free loopback port, once /healthz answers; `uvicorn_options`
    go to uvicorn.Config (e.g. proxy_headers)."""
    import uvicorn

    from triplane.web.app import create_app

    app = create_app(db_url)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the test server did not start")
    return server, thread, url


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    db = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.sqlite3'}"
    server, thread, url = start_server(db)
    yield Live(url, db)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The server on SQLite, then on PostgreSQL (skipped without TRIPLANE_TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        db = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.sqlite3'}"
        server, thread, url = start_server(db)
        yield Live(url, db)
        server.should_exit = True
        thread.join(10)
        return
    with pg_database("triplane_web") as db:
        server, thread, url = start_server(db)
        yield Live(url, db)
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live_pg(pg_url: str) -> Iterator[Live]:
    server, thread, url = start_server(pg_url)
    yield Live(url, pg_url)
    server.should_exit = True
    thread.join(10)
    from triplane.store.db import make_engine

    make_engine(pg_url).dispose()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """build/screenshots/web (ignored by git) unless TRIPLANE_SCREENSHOTS_DIR says otherwise;
    the committed set is refreshed with TRIPLANE_SCREENSHOTS_DIR=docs/screenshots/web."""
    root = Path(__file__).resolve().parents[2]
    out = Path(os.environ.get("TRIPLANE_SCREENSHOTS_DIR") or root / "build" / "screenshots" / "web")
    if not out.is_absolute():
        out = root / out
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One chromium for the whole session (Debian's, through Playwright), shared by the browser
    test modules; they skip, saying why, when it or Playwright is missing."""
    from test_web_browser import ARGS, CHROMIUM, sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()
