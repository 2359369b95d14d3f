"""The web app: `triplane serve`, and `triplane user reset-password` for its accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from triplane.cli.app import G, app, service

user_app = typer.Typer(help="Web accounts: reset a forgotten password.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    certfile: Annotated[
        Path | None, typer.Option("--certfile", help="TLS certificate (PEM) for HTTPS.")
    ] = None,
    keyfile: Annotated[Path | None, typer.Option("--keyfile", help="TLS key (PEM).")] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (use PostgreSQL for more than 1).")
    ] = 1,
    proxy: Annotated[
        str | None,
        typer.Option(
            "--proxy",
            help="Behind a reverse proxy: trust X-Forwarded-For/Proto from these addresses "
            "(comma-separated IPs or networks; `--proxy` alone means 127.0.0.1). The client "
            "is the right-most address not among them.",
        ),
    ] = None,
) -> None:
    """Start the web app (pages for athletes and coaches, and the REST API under /api/v1)."""
    from triplane.web.serve import run_server

    run_server(G.db, G.demo, host, port, certfile, keyfile, workers, proxy)


@user_app.command("reset-password")
def user_reset_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")],
) -> None:
    """Give an account a new temporary password (all its sessions end)."""

    with service() as svc:
        temporary = svc.accounts.reset_password(email)
    print(f"New temporary password for {email.strip().lower()}: {temporary}")
    print("Give it to the person; they change it under Account.")
