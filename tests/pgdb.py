"""A fresh PostgreSQL database per test (or module), for every suite that needs one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def pg_database(prefix: str = "triplane_test") -> Iterator[str]:
    """A new database on TRIPLANE_TEST_DATABASE_URL's server, dropped afterwards; the test
    skips with the reason when the variable is unset or the server does not answer."""
    base_url = os.environ.get("TRIPLANE_TEST_DATABASE_URL")
    if not base_url:
        pytest.skip(
            "PostgreSQL tests need TRIPLANE_TEST_DATABASE_URL (e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test); .ci/run sets it"
        )
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL at TRIPLANE_TEST_DATABASE_URL is not reachable: {exc}")
    try:
        yield f"{base_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
