"""Shared fixtures: real SQLite files in temporary folders, a real PostgreSQL when configured."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pgdb import pg_database
from triplane.core.catalogue import Catalogue, load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'triplane.sqlite3'}"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.out)


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI in-process against a fresh SQLite file, as `triplane --db URL ...`."""
    from triplane.cli import main

    monkeypatch.delenv("TRIPLANE_DATABASE_URL", raising=False)

    def run(*args: str, db: str | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["--db", db or db_url, *args])
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    with pg_database() as url:
        yield url


# ---- local stand-ins for the services reminders reach (issue 15; tests/local_services.py) ----


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on a free port, set as TRIPLANE_SMTP_URL."""
    from local_services import smtp_server

    with smtp_server() as sink:
        monkeypatch.setenv("TRIPLANE_SMTP_URL", sink.url)
        monkeypatch.setenv("TRIPLANE_SMTP_FROM", "Triplane <reminders@triplane.test>")
        yield sink


@pytest.fixture
def ntfy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An HTTP server playing ntfy, set as TRIPLANE_NTFY_URL."""
    from local_services import http_server

    with http_server() as sink:
        monkeypatch.setenv("TRIPLANE_NTFY_URL", sink.url)
        yield sink


@pytest.fixture
def push() -> Iterator[Any]:
    """An HTTP server playing a browser's push service."""
    from local_services import http_server

    with http_server() as sink:
        yield sink
