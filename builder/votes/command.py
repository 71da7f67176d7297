"""`foretell votes serve`: run the vote endpoint (and `foretell votes snapshot`, from
snapshot.py: its final tallies into the site's content).

Usable three ways: `foretell votes serve ...` (the main CLI calls `configure`),
`python -m builder.votes serve ...`, and `main([...])` from Python.
"""

from __future__ import annotations

import argparse
import copy
import logging
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from builder.arguments import COMMANDS  # its help text, written once
from builder.arguments import port as port_argument
from builder.system.sockets import listen

from .database import add_db_argument, one_line, open_or_fail
from .snapshot import configure as configure_snapshot
from .transfer import configure_transfer

if TYPE_CHECKING:  # imported lazily below: `foretell build` need not load a web server
    import uvicorn
    from starlette.applications import Starlette

log = logging.getLogger("foretell.votes")

DEFAULT_RATE_LIMIT = 60  # votes per client IP per minute
# Connection limits. The defaults keep the endpoint reachable while hundreds of connections sit
# idle or trickle headers: each is closed after the request timeout, and connections past the
# cap are closed at once instead of running the process out of file descriptors.
DEFAULT_REQUEST_TIMEOUT = 10.0  # seconds to send a complete request
DEFAULT_KEEP_ALIVE = 5.0  # seconds an idle connection is kept after a response
DEFAULT_MAX_CONNECTIONS = 500  # room for hundreds of simultaneous voters (see store.py)
FD_RESERVE = 64  # descriptors kept free of connections: database, manifest, logs


def configure(votes: argparse.ArgumentParser) -> None:
    """The `foretell votes` command's arguments (the CLI made the parser, see cli.py)."""
    votes.description = "The reader-vote endpoint."
    votes.set_defaults(func=lambda args: _usage(votes))
    commands = votes.add_subparsers(title="commands", metavar="COMMAND")
    _configure_serve(commands)
    configure_transfer(commands)
    configure_snapshot(commands)


def _configure_serve(commands: Any) -> None:
    """`foretell votes serve`'s arguments, on the `votes` command's subparsers."""
    serve = commands.add_parser(
        "serve",
        help="serve the vote API over HTTP",
        description=(
            "Serve the vote API for the predictions listed in the votes manifest. "
            "Reloads the manifest when it changes, or on SIGHUP."
        ),
    )
    add_db_argument(serve)
    _add_listen_arguments(serve)
    _add_client_arguments(serve)
    _add_connection_arguments(serve)
    serve.add_argument(
        "--trust-forwarded-for",
        action="store_true",
        help="take the client IP from X-Forwarded-For (right-most entry); "
        "only behind a reverse proxy that sets it",
    )
    serve.set_defaults(func=serve_command)


def _add_listen_arguments(serve: argparse.ArgumentParser) -> None:
    """What `serve` serves, and where: --manifest, --host, --port."""
    serve.add_argument(
        "--manifest",
        type=Path,
        default=Path("output/votes-manifest.json"),
        help="votes manifest written by the build (default: %(default)s)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port",
        type=port_argument,
        default=8787,
        help="port to listen on, 0 for any free port (default: %(default)s)",
    )


def _add_client_arguments(serve: argparse.ArgumentParser) -> None:
    """Who may call `serve`, and how often: --allow-origin, --rate-limit."""
    serve.add_argument(
        "--allow-origin",
        dest="allow_origins",
        metavar="URL",
        type=_origin,
        action="append",
        default=[],
        help="site origin allowed to call the API from a browser (repeatable), "
        "e.g. https://predictions.example.org",
    )
    serve.add_argument(
        "--rate-limit",
        type=_non_negative,
        default=DEFAULT_RATE_LIMIT,
        metavar="N",
        help="votes per client IP per minute, 0 for no limit (default: %(default)s)",
    )


def _add_connection_arguments(serve: argparse.ArgumentParser) -> None:
    """`serve`'s connection limits (connections.py): --request-timeout,
    --keep-alive-timeout, --max-connections."""
    serve.add_argument(
        "--request-timeout",
        type=_positive_seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="close a connection that has not sent a complete request (headers and body) "
        "within this time of connecting or of its previous response (default: %(default)g)",
    )
    serve.add_argument(
        "--keep-alive-timeout",
        type=_positive_seconds,
        default=DEFAULT_KEEP_ALIVE,
        metavar="SECONDS",
        help="close a connection idle for this long after a response (default: %(default)g)",
    )
    serve.add_argument(
        "--max-connections",
        type=_positive,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="connections open at once; more are closed on arrival. Lowered to fit the open "
        f"file limit (ulimit -n) less {FD_RESERVE} (default: %(default)s)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`foretell votes ...` on its own: `main(["serve", "--port", "8787"])`."""
    parser = argparse.ArgumentParser(prog="foretell")
    subparsers = parser.add_subparsers()
    configure(subparsers.add_parser("votes", help=COMMANDS["votes"][1]))
    args = parser.parse_args(["votes", *(sys.argv[1:] if argv is None else argv)])
    result: int = args.func(args)
    return result


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 3600: {text}")
    return value


def _origin(text: str) -> str:
    """Normalise an origin the way browsers send it: scheme://host[:port], no path."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"not an origin: {text!r} (expected e.g. https://predictions.example.org)"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise argparse.ArgumentTypeError(
            f"an origin has no path, query or user: {text!r} (use {parts.scheme}://{parts.netloc})"
        )
    # A trailing "/" or upper case would never match the browser's Origin header.
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _fail(message: str, command: str = "serve") -> int:
    print(f"foretell votes {command}: error: {message}", file=sys.stderr)
    return 2


def serve_command(args: argparse.Namespace) -> int:
    from .app import create_app
    from .manifest import ManifestError, load_votables

    try:
        load_votables(args.manifest)  # before touching the database: no side effects on error
    except ManifestError as exc:
        return _fail(str(exc))
    store = open_or_fail(args.db, "serve")
    if store is None:
        return 2
    try:
        try:
            store.check_writable()
        except (*store.errors, OSError, TimeoutError) as exc:
            reason = one_line(exc) if str(exc) else "the database did not answer"
            return _fail(f"{args.db}: the vote database cannot be written: {reason}")
        try:
            app = create_app(
                store,
                args.manifest,
                allow_origins=args.allow_origins,
                rate_limit=args.rate_limit or None,
                trust_forwarded_for=args.trust_forwarded_for,
            )
        except ManifestError as exc:
            return _fail(str(exc))
        try:
            sock = listen(args.host, args.port, backlog=2048)
        except OSError as exc:
            return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        with sock:
            _run(app, sock, args)
    finally:
        store.close()  # commits anything still queued
    return 0


def _run(app: Starlette, sock: socket.socket, args: argparse.Namespace) -> None:
    import asyncio

    import uvicorn

    from .connections import ACCEPT_BURST, LimitedServer, limited_protocol

    cap, fd_limit = _connection_cap(args.max_connections)
    config = uvicorn.Config(
        app,
        http=limited_protocol(args.request_timeout, cap),
        backlog=ACCEPT_BURST,
        timeout_keep_alive=args.keep_alive_timeout,  # type: ignore[arg-type]  # a float works
        log_config=_log_config(),
        access_log=False,  # AccessLog in app.py logs each request, without voter ids
        proxy_headers=False,  # uvicorn would trust X-Forwarded-For from 127.0.0.1 by default
        server_header=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = LimitedServer(config)
    if cap < args.max_connections:  # logged now that uvicorn.Config has set up logging
        log.warning("at most %d connections: the open file limit (ulimit -n) is %d", cap, fd_limit)

    # uvicorn re-raises SIGINT/SIGTERM after its graceful shutdown, which with the default
    # handlers would kill us before the store is closed. Handlers of our own are restored by
    # uvicorn afterwards and just ask the server to stop (also useful during startup).
    def stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(_serve(server, app, sock, args))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


async def _serve(
    server: uvicorn.Server, app: Starlette, sock: socket.socket, args: argparse.Namespace
) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, _reload_manifest, app)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    log.info(
        "serving votes for %d predictions from %s on http://%s:%d (database %s)",
        len(app.state.manifest.current()),
        args.manifest,
        shown,
        port,
        args.db,
    )
    if not args.allow_origins:
        log.warning("no --allow-origin given: browsers on other sites cannot use this API")
    try:
        await server.serve(sockets=[sock])
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


def _connection_cap(wanted: int) -> tuple[int, int]:
    """(`wanted`, or fewer if the open-file limit cannot hold that many connections; the limit).

    Refusing a connection beats failing to accept it: asyncio's accept loop then retries every
    second, logging each failure with a traceback, and the process has no descriptor left.
    """
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted, soft
    return max(1, min(wanted, soft - FD_RESERVE)), soft


def _reload_manifest(app: Starlette) -> None:
    log.info("SIGHUP: reloading the votes manifest")
    app.state.manifest.reload()


def _log_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["foretell.votes"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config


if __name__ == "__main__":
    sys.exit(main())
