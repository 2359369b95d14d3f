"""Static files with hashed names, gzip and long-lived caching; HEAD on every page.

Every file under `static/` is read once, hashed (SHA-256, 10 hex digits) and, when it is text,
gzipped once. Templates ask for `static_url("app.css")` and get `/static/app.<hash>.css`: that
name changes whenever the file does, so it is served with `Cache-Control: public,
max-age=31536000, immutable`. The plain name (`/static/app.css`, used by the manifest's icons)
still works, with `no-cache` and an ETag. A client that accepts gzip gets the gzipped bytes
(`Vary: Accept-Encoding`). Pages themselves are not compressed (they carry a CSRF token).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
YEAR = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".webmanifest", ".txt", ".md", ".html")
TYPES = {".js": "text/javascript", ".webmanifest": "application/manifest+json", ".md": "text/plain"}


@dataclass(frozen=True)
class Asset:
    path: str  # relative to static/, with '/'
    body: bytes
    gz: bytes | None
    digest: str
    media_type: str

    @property
    def hashed(self) -> str:
        folder, _, name = self.path.rpartition("/")
        stem, dot, ext = name.partition(".")  # 'pico.min.css' -> 'pico' + 'min.css'
        hashed = f"{stem}.{self.digest}.{ext}" if dot else f"{name}.{self.digest}"
        return f"{folder}/{hashed}" if folder else hashed


class Assets:
    def __init__(self, root: Path) -> None:
        self.by_path: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        for f in sorted(root.rglob("*")):
            if not f.is_file():
                continue
            rel = f.relative_to(root).as_posix()
            body = f.read_bytes()
            gz = None
            if f.suffix in COMPRESSIBLE and len(body) > 512:
                gz = gzip.compress(body, compresslevel=9, mtime=0)
            guessed = mimetypes.guess_type(f.name)[0]
            media = TYPES.get(f.suffix) or guessed or "application/octet-stream"
            if media.startswith("text/") or media.endswith(("+xml", "json")):
                media += "; charset=utf-8"
            digest = hashlib.sha256(body).hexdigest()[:10]
            a = Asset(rel, body, gz, digest, media)
            self.by_path[rel] = a
            self.by_hashed[a.hashed] = a
        self.version = hashlib.sha256(
            "".join(a.digest for a in self.by_path.values()).encode()
        ).hexdigest()[:10]

    def url(self, path: str) -> str:
        """The hashed address of a static file (the plain one if it is not there)."""
        a = self.by_path.get(path)
        return f"/static/{a.hashed if a else path}"

    def response(self, request: Request, path: str) -> Response:
        a = self.by_hashed.get(path)
        cache = YEAR
        if a is None:
            a, cache = self.by_path.get(path), REVALIDATE
        if a is None:
            return Response("no such file", 404, media_type="text/plain")
        etag = f'"{a.digest}"'
        headers = {"Cache-Control": cache, "ETag": etag, "Vary": "Accept-Encoding"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        body = a.body
        if a.gz is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body, headers["Content-Encoding"] = a.gz, "gzip"
        return Response(body, media_type=a.media_type, headers=headers)


class HeadAsGet:
    """HEAD on any route that answers GET: run the GET and send only its headers (FastAPI's
    routes take GET only; HTTP says every GET resource takes HEAD)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


@functools.cache
def assets() -> Assets:
    return Assets(STATIC)


def static_url(path: str) -> str:
    return assets().url(path)


@functools.cache
def video_installed() -> bool:
    """Whether this server can measure videos (the vision extra imports): the Video item shows
    in the navigation only then."""
    from triplane.usecases.video import vision_missing

    return vision_missing() is None


def service_worker() -> str:
    """sw.js with the hashed addresses of the files it keeps, and a cache name that changes
    with them (so a new release drops the old copies)."""
    a = assets()
    text = a.by_path["sw.js"].body.decode("utf-8")
    text = text.replace("triplane-static-v1", f"triplane-static-{a.version}")
    return re.sub(r'"/static/([^"]+)"', lambda m: f'"{a.url(m.group(1))}"', text)
