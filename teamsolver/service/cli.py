"""``teamsolver serve``: the REST service and the planners' page, on uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
from pathlib import Path

import click

from ..whatif.sweep import cores

#: Uvicorn's wait for open connections (event streams) at shutdown, in seconds.
GRACEFUL_S = 2


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port (0: any free port; the address is printed).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Jobs solved at a time, each in its own worker process [default: the cores].",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False),
    default="teamsolver-data",
    show_default=True,
    help="Folder of the job store (SQLite): results survive a restart.",
)
@click.option(
    "--token",
    envvar="TEAMSOLVER_TOKEN",
    default=None,
    help="Bearer token every API request must carry; required to listen beyond localhost "
    "(or set TEAMSOLVER_TOKEN).",
)
@click.option(
    "--dask", "dask", metavar="ADDRESS", default=None, help="Run jobs on this Dask scheduler."
)
@click.option(
    "--max-upload",
    type=click.FloatRange(min=0.001),
    default=20.0,
    show_default=True,
    help="Largest request body, in MB (413 above it).",
)
@click.option(
    "--max-queue",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Most jobs waiting for a slot (429 above it).",
)
def serve(
    host: str,
    port: int,
    jobs: int | None,
    data: str,
    token: str | None,
    dask: str | None,
    max_upload: float,
    max_queue: int,
) -> None:
    """Serve the REST job API (OpenAPI at /docs) and the planners' page at /.

    Listens on localhost only unless --token is given. Jobs and results are kept in --data;
    a restart keeps every finished result and marks unfinished jobs interrupted. SIGTERM or
    Ctrl-C stops the running jobs (their best rosters are kept) and ends every worker.

    \b
    Example:
      teamsolver serve --port 8000 --jobs 2
      open http://127.0.0.1:8000/
    """
    # Imported here: every other command of the CLI starts without the web stack.
    import uvicorn

    from .app import Config, create_app

    if not loopback(host) and not token:
        click.echo(
            f"error: --host {host} would serve other machines: give --token (a bearer token "
            "every request must carry), or keep the default --host 127.0.0.1",
            err=True,
        )
        sys.exit(2)
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    config = Config(
        data=Path(data),
        jobs=jobs or cores(),
        token=token,
        max_upload=int(max_upload * 2**20),
        max_queue=max_queue,
        dask=dask,
    )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"teamsolver serving on http://{shown}:{sock.getsockname()[1]}/", err=True)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            log_level="info",
            timeout_graceful_shutdown=GRACEFUL_S,
            log_config=None,
        )
    )
    server.run(sockets=[sock])
