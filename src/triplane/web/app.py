"""The web app factory: `create_app(db_url)` -> a FastAPI app (pages + REST API + static files).

Run it with `triplane serve` (see README "Web app"), or under any ASGI server with the factory
`triplane.web.app:create_app_from_env` (reads $TRIPLANE_DATABASE_URL), e.g.
`uvicorn --factory triplane.web.app:create_app_from_env --workers 4`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import insert, update
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from triplane import __version__, config
from triplane.core.errors import TriplaneError
from triplane.core.settings import NUMBER_LIMITS
from triplane.store import schema
from triplane.store.db import StoreError, describe_failure, open_engine
from triplane.web import security
from triplane.web.deps import WebContext
from triplane.web.errors import api_body, http_status, page_sentence

HERE = Path(__file__).parent
STATIC = HERE / "static"
log = logging.getLogger("triplane.web")


async def bare_constant(scope: Scope, receive: Receive, send: Send) -> None:
    """A bare ASGI endpoint returning a constant: the benchmark's floor."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"11")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"ok":true}'})


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    parts, errors = [], []
    for e in exc.errors():
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path")]
        where = ".".join(loc) or "the request body"
        msg = str(e.get("msg", "is not valid"))
        if e.get("type") == "extra_forbidden":
            msg = "is not a field here; check the spelling (fields use the CLI's option names)"
        elif e.get("type") == "missing":
            msg = "is required"
        elif e.get("type") == "json_invalid":
            where, msg = "the request body", "is not valid JSON"
        elif e.get("type") in ("greater_than_equal", "less_than_equal") and where in NUMBER_LIMITS:
            msg = f"is {e.get('input')}; choose {NUMBER_LIMITS[where].text()}"
        parts.append(f"{where}: {msg}")
        errors.append({"field": where, "message": msg})
    return "; ".join(parts) or "the request is not valid", errors


def _allowed(app: FastAPI, request: Request) -> list[str]:
    """Every method of every route at this path (the router names only the first match's)."""
    table = getattr(app.state, "route_methods", None)
    if table is None:
        table = []
        stack: list[Any] = list(app.routes)
        while stack:
            route = stack.pop()
            inner = getattr(getattr(route, "original_router", None), "routes", None)
            if inner is not None:
                stack.extend(inner)
            elif getattr(route, "methods", None) and hasattr(route, "path_regex"):
                table.append((route.path_regex, frozenset(route.methods)))
        app.state.route_methods = table
    path = request.url.path
    return sorted({m for regex, methods in table if regex.match(path) for m in methods})


def create_app(db_url: str | None = None, demo: bool = False) -> FastAPI:
    engine = open_engine(db_url, demo)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # No more threads than pooled database connections: a thread beyond the pool's size
        # would open (and then close) a connection of its own on each request, which is slow
        # on PostgreSQL; queueing for a pooled one is faster.
        import anyio.to_thread

        pool: Any = engine.pool
        size = pool.size() if hasattr(pool, "size") else 40
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(4, min(40, size))
        scheduler = _start_scheduler(engine)
        yield
        if scheduler:
            from triplane.usecases import tasks

            tasks.stop_local_runner(engine)
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Triplane",
        version=__version__,
        description="3D hip mobility and strength for trail runners: the REST API.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI would load from a CDN; the schema is the contract
        redoc_url=None,
    )
    app.state.ctx = WebContext(engine)

    from triplane.usecases import video as video_limits
    from triplane.web import api, assets, inclinometer, onboarding, pages, progress_pages, video

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(progress_pages.router)
    app.include_router(video.router)
    app.include_router(inclinometer.router)
    app.include_router(onboarding.router)
    pages.templates.env.globals.update(
        static_url=assets.static_url, video_installed=assets.video_installed
    )

    @app.get("/static/{path:path}", include_in_schema=False)
    def static(request: Request, path: str) -> Response:
        return assets.assets().response(request, path)

    app.mount("/bench/bare", bare_constant)
    app.add_middleware(
        security.BodyLimit,
        uploads={"/video": lambda: video_limits.max_upload_bytes() + 2 * 1024 * 1024},  # + fields
    )
    app.add_middleware(security.SecurityHeaders)
    app.add_middleware(assets.HeadAsGet)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(TriplaneError)
    async def triplane_error(request: Request, exc: TriplaneError) -> Response:
        status = http_status(exc)
        if status >= 500:  # the server's set-up or data, not the request: keep a trace
            log.error("%s: %s", type(exc).__name__, exc)
        if wants_json(request):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse(api_body(exc), status, headers=headers)
        if status == 401:
            return RedirectResponse("/login", 303)
        return pages.error_page(request, status, page_sentence(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        message, errors = _validation_message(exc)
        if wants_json(request):
            body: dict[str, Any] = {"detail": message, "errors": errors}
            if len(errors) == 1:
                body["field"] = errors[0]["field"]
            return JSONResponse(body, 422)
        # a person reads this page: name what is wrong, not the validator's wording
        where = ", ".join(dict.fromkeys(e["field"] for e in errors)) or "the page"
        return pages.error_page(request, 422, f"{where} in this address is not right; go back "
                                "and try again")  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "there is no such page", 405: "this address doesn't take that method"}
        text_ = message.get(exc.status_code, str(exc.detail))
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Allow: every method of every route at this address
            headers = {**(headers or {}), "Allow": ", ".join(_allowed(app, request))}
        if wants_json(request):
            return JSONResponse({"detail": text_}, exc.status_code, headers=headers)
        response = pages.error_page(request, exc.status_code, text_)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(SQLAlchemyError)
    @app.exception_handler(StoreError)
    async def db_error(request: Request, exc: Exception) -> Response:
        log.exception("database error", exc_info=exc)
        _, message = describe_failure(exc)
        if wants_json(request):
            return JSONResponse({"detail": message}, 503)
        return pages.error_page(request, 503, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        message = "something went wrong on our side; nothing was saved. Please report it."
        if wants_json(request):
            return JSONResponse({"detail": message}, 500)
        return pages.error_page(request, 500, message)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> Response:
        """200 {"status": "ok"} when a write reached the database (one row, updated and
        committed); 503 with the cause otherwise: {"status": "read_only" | "disk_full" |
        "busy" | "unavailable", "detail": sentence}."""
        hc = schema.health_checks
        try:
            with engine.begin() as conn:
                now = datetime.now(UTC).replace(tzinfo=None)
                if not conn.execute(update(hc).where(hc.c.id == 1).values(checked_at=now)).rowcount:
                    conn.execute(insert(hc).values(id=1, checked_at=now))
        except (SQLAlchemyError, StoreError) as exc:
            code, message = describe_failure(exc)
            return JSONResponse({"status": code, "detail": message}, 503)
        return JSONResponse({"status": "ok"})

    @app.get("/sw.js", include_in_schema=False)
    def service_worker() -> Response:
        from triplane.web.assets import service_worker as sw

        return Response(
            sw(),
            media_type="text/javascript",
            headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
        )

    @app.get("/manifest.webmanifest", include_in_schema=False)
    def manifest() -> Response:
        return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")

    return app


def _start_scheduler(engine: Any) -> bool:
    """SQLite: this process sends the reminders (one scheduler thread; `triplane worker`
    processes do it on PostgreSQL). TRIPLANE_SCHEDULER=off leaves it to cron
    (`triplane reminders run --once`)."""
    if engine.dialect.name != "sqlite" or config.scheduler_off():
        return False
    from triplane.usecases import tasks

    tasks.local_runner(engine, tick=True)
    return True


def create_app_from_env() -> FastAPI:
    """For `uvicorn --factory` and several workers: the database from $TRIPLANE_DATABASE_URL
    (or the demo database when $TRIPLANE_DEMO=1)."""
    return create_app(None, demo=config.demo())
