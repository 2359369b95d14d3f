"""`triplane serve`: uvicorn on the given address, with TLS when given a certificate."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from triplane import config


def parse_proxies(value: str) -> list[str]:
    """The --proxy addresses (IPs or CIDR networks); Invalid for anything else, or "*"."""
    import ipaddress

    from triplane.usecases.service import Invalid

    out = []
    for item in (x.strip() for x in value.split(",")):
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise Invalid(
                f"--proxy '{item[:40]}' is not an IP address or network; give the proxy's "
                "address, e.g. --proxy 127.0.0.1 or --proxy 10.0.0.0/8"
            ) from None
        out.append(item)
    if not out:
        raise Invalid("--proxy needs the proxy's address, e.g. --proxy 127.0.0.1")
    return out


def run_server(
    db: str | None,
    demo: bool,
    host: str,
    port: int,
    certfile: Path | None,
    keyfile: Path | None,
    workers: int,
    proxy: str | None,
) -> None:
    import uvicorn

    from triplane.store.db import resolve_url
    from triplane.usecases.service import Invalid
    from triplane.usecases.work import open_work

    if (certfile is None) != (keyfile is None):
        raise Invalid("give both --certfile and --keyfile for HTTPS (or neither)")
    for f in (certfile, keyfile):
        if f is not None and not f.is_file():
            raise Invalid(f"{f} does not exist; --certfile and --keyfile are PEM files")
    if not 1 <= workers <= 64:
        raise Invalid("--workers is 1 to 64")
    trusted = parse_proxies(proxy) if proxy is not None else None
    url = resolve_url(db, demo)
    if workers > 1 and url.startswith("sqlite"):
        sys.stderr.write(
            "triplane: note: several workers on SQLite work, but PostgreSQL is the database "
            "for that (--db postgresql+psycopg://...)\n"
        )
    with open_work(url) as svc:  # creates or upgrades the schema once, before the workers
        logins = []
        if demo:
            logins = svc.accounts.ensure_demo_accounts()
    scheme = "https" if certfile else "http"
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    print(f"Triplane is at {scheme}://{shown}:{port}/  (Ctrl-C stops it)")
    for email, password, role in logins:
        print(f"  demo {role}: {email} / {password}")
    sys.stdout.flush()
    if workers == 1:  # the app itself, built here with the resolved database
        from triplane.web.app import create_app

        target: object = create_app(url)
        factory = False
    else:  # worker processes import the app: the resolved database reaches them by
        # config.DATABASE_URL, the one setting passed on this way (see config.py)
        os.environ[config.DATABASE_URL] = url
        os.environ.pop(config.DEMO, None)
        target, factory = "triplane.web.app:create_app_from_env", True
    uvicorn.run(
        target,  # type: ignore[arg-type]
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        proxy_headers=trusted is not None,
        # never "*": X-Forwarded-For is believed only from these, and the client is the
        # right-most address that is not one of them (uvicorn's rule for a list)
        forwarded_allow_ips=trusted or "127.0.0.1",
        log_level="warning",
        access_log=False,
    )
