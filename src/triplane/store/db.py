"""Engines and schema upgrades. SQLite (WAL) by default, any SQLAlchemy URL otherwise.

Start-up matters for the CLI: the schema version is checked with one cheap query, and Alembic is
imported only when the database actually needs an upgrade. SQLAlchemy itself is imported inside
the functions that open an engine, so the read-only fast path of `plan day --json`
(store/sqlite_read.py) can resolve the URL and know the head revision without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

from triplane import config

HEAD_REVISION = "0011"  # the newest migration in migrations/versions; a test keeps them equal
ENV_URL = config.DATABASE_URL


class StoreError(RuntimeError):
    """The database can't be opened or used; the message says what to do."""


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("triplane", appauthor=False))


def default_url(demo: bool = False) -> str:
    name = "demo.sqlite3" if demo else "triplane.sqlite3"
    return f"sqlite:///{data_dir() / name}"


def resolve_url(url: str | None, demo: bool = False) -> str:
    if demo:
        return default_url(demo=True)  # the demo never touches the user's own database
    return url or config.database_url() or default_url()


def make_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")  # acknowledged = on disk, power loss too
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"the database driver for {url.split(':', 1)[0]} is not installed "
            f"({exc.name}); for PostgreSQL: pip install 'triplane[postgres]'"
        ) from exc


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(code, sentence) for a failed database call: what people and monitors need to know.
    Codes: read_only, disk_full, busy, unavailable."""
    orig = getattr(exc, "orig", None) or exc
    text_ = str(orig).lower()
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    if "readonly" in text_ or "read-only" in text_ or "read only" in text_ or sqlstate == "25006":
        return "read_only", (
            "the database is read-only (its file, disk or server refuses writes); nothing was "
            "saved. Whoever runs this server must make it writable again"
        )
    if (
        "disk is full" in text_
        or "no space left" in text_
        or "could not extend" in text_
        or sqlstate.startswith("53")
    ):
        return "disk_full", (
            "the database's disk is full; nothing was saved. Whoever runs this server must free "
            "some space"
        )
    if "locked" in text_ or "lock timeout" in text_ or sqlstate in ("55P03", "40P01"):
        return "busy", "the database is busy; nothing was saved, try again in a moment"
    return "unavailable", "the database did not answer; nothing was saved, try again in a moment"


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError):
        return None


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the newest schema (creating it on first use)."""
    from sqlalchemy.exc import OperationalError

    try:
        if current_revision(engine) == HEAD_REVISION:
            return
    except OperationalError as exc:
        raise StoreError(f"can't open the database: {exc.orig}") from exc
    upgrade(engine)


def upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_engine(url: str | None = None, demo: bool = False) -> Engine:
    engine = make_engine(resolve_url(url, demo))
    ensure_schema(engine)
    return engine
