"""The `serve` subcommand: options, terminal output, and a clean start and stop.

Only this module is imported by the CLI; the web server, the watcher and the build are loaded
when `serve` actually runs, so other commands do not pay for them.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import threading
import time
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from builder.arguments import port as port_argument
from builder.arguments import site_options
from builder.errors import WARNINGS_SHOWN, warnings_left
from builder.serve.hosts import host_name
from builder.system import collector
from builder.system.sockets import listen

if TYPE_CHECKING:
    from builder.serve.server import PreviewServer
    from builder.serve.state import RebuildResult


def configure(serve: argparse.ArgumentParser) -> None:
    """The `foretell serve` command's arguments (the CLI made the parser, see cli.py)."""
    serve.description = (
        "Build the site in memory and serve it for preview. Watches content/, themes/ and "
        "site.yaml, rebuilds on every save and reloads open pages by themselves. Never "
        "writes output/."
    )
    site_options(serve)
    serve.add_argument("--drafts", action="store_true", help="include drafts")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--allow-host",
        dest="allowed_hosts",
        metavar="NAME",
        type=host_name,
        action="append",
        default=[],
        help="also answer requests made to this host name (.example.net: and its sub-domains);"
        " repeatable. Always answered: localhost, IP addresses and the --host name",
    )
    serve.add_argument(
        "--port",
        type=port_argument,
        default=8000,
        help="port, 0 for any free one (default: %(default)s)",
    )
    serve.add_argument(
        "--open", dest="open_browser", action="store_true", help="open the site in a browser"
    )
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    root: Path = args.source.resolve()
    if not (root / "site.yaml").is_file():
        console.print(f"[red]error[/]: no site.yaml in {escape(str(root))}: is it a foretell site?")
        return 1
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        where = f"{args.host}:{args.port}"
        console.print(f"[red]error[/]: cannot listen on {where}: {exc.strerror or exc}")
        return 1

    from builder.options import BuildOptions
    from builder.serve.hosts import AllowedHosts
    from builder.serve.server import Events, create_app, server
    from builder.serve.state import LiveSite
    from builder.serve.watch import Watcher

    collector.fewer_collections()  # a rebuild's young objects live on: system/collector.py
    live = LiveSite(BuildOptions(root, args.now, drafts=args.drafts))
    terminal = Terminal(console)
    live.late = terminal.failed_late
    watcher = Watcher(root, lambda batch: terminal.rebuilt(batch.describe(), live.rebuild()))
    events = Events(live)
    hosts = AllowedHosts.of(args.host, args.allowed_hosts)
    preview = server(create_app(live, events, hosts), events)
    with sock, _signals(preview):
        try:
            watcher.start()  # before the first build: a save made during it is not missed
            terminal.rebuilt(None, live.rebuild())
            if not preview.should_exit:  # not stopped during the first build
                _serve(preview, sock, live.snapshot.prefix, args, console)
        except KeyboardInterrupt:  # a second Ctrl-C during the first build: stop it at once
            pass
        finally:
            watcher.stop()
            live.close()
    console.print("Stopped.")
    return 0


def _serve(
    preview: PreviewServer,
    sock: socket.socket,
    prefix: str,
    args: argparse.Namespace,
    console: Console,
) -> None:
    url = _url(sock, prefix)
    console.print(f"Serving [bold]{url}[/]  (Ctrl-C to stop)", soft_wrap=True)
    if sock.getsockname()[0] not in ("127.0.0.1", "::1"):
        console.print(f"[yellow]warning[/]: listening on {args.host}: visible to others")
    if args.open_browser:
        # In a thread: some browsers block webbrowser.open until they exit.
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    preview.run(sockets=[sock])  # also when a signal came just now: uvicorn sees should_exit


@contextlib.contextmanager
def _signals(preview: PreviewServer) -> Iterator[None]:
    """Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closed) for the whole session: each
    ends it without a traceback, and with whatever it started, since a build in progress
    finishes first and so do its forked render workers.

    The handler only asks the server to stop (uvicorn honours that even before it runs). It
    raises nothing during the first build, which runs on this thread: an exception raised at
    an arbitrary point can land in an at-fork handler as the build forks its workers, where
    it is swallowed (the signal lost) after leaving logging's lock held (a hang at exit). So
    the first build finishes, then serve stops; a second signal interrupts it at once. While
    uvicorn runs, it catches SIGINT and SIGTERM itself, shuts down gracefully, and raises the
    signal again for this handler, which then asks an already stopped server to stop. Set
    explicitly, also because a shell may have started us with SIGINT ignored; but SIGHUP stays
    ignored under `nohup`.
    """

    def handle(signum: int, frame: FrameType | None) -> None:
        if preview.should_exit and not preview.started:
            raise KeyboardInterrupt  # asked twice during the first build: the user insists
        preview.should_exit = True

    signals = [signal.SIGINT, signal.SIGTERM]
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signals.append(signal.SIGHUP)
    previous = {sig: signal.signal(sig, handle) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _url(sock: socket.socket, prefix: str) -> str:
    host, port = sock.getsockname()[:2]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{prefix}"


class Terminal:
    """One short line per build; errors in red, warnings in yellow when they change."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._warnings: tuple[object, ...] = ()

    def rebuilt(self, changed: str | None, outcome: RebuildResult) -> None:
        took = f"{outcome.seconds:.2f} s"
        what = "first build" if changed is None else escape(changed)
        stamp = time.strftime("%H:%M:%S")
        if not outcome.ok:
            self._failed(f"[dim]{stamp}[/] {what}", outcome, f", {took}")
        elif changed is None:
            self.console.print(f"[green]Built[/] {outcome.files} files in {took}")
        else:
            result = "no page changed" if outcome.unchanged else "[green]rebuilt[/]"
            self.console.print(f"[dim]{stamp}[/] {what}: {result} in {took}", soft_wrap=True)
        self._warn(outcome)

    def failed_late(self, outcome: RebuildResult) -> None:
        """A page of the site just rebuilt failed to render when it was made (serve/lazy.py)."""
        self._failed(f"[dim]{time.strftime('%H:%M:%S')}[/] rendering a page", outcome, "")

    def _failed(self, what: str, outcome: RebuildResult, took: str) -> None:
        count = len(outcome.errors)
        kept = "serving the last good version" if outcome.files else "nothing to serve yet"
        self.console.print(
            f"{what}: [bold red]build failed[/] "
            f"({count} error{'s' if count != 1 else ''}{took}); {kept}",
            soft_wrap=True,
        )
        for problem in outcome.errors:
            self.console.print(f"  [red]error[/]: {escape(str(problem))}", soft_wrap=True)
        if outcome.trace:
            self.console.print(escape(outcome.trace), style="dim", soft_wrap=True)

    def _warn(self, outcome: RebuildResult) -> None:
        """As `build` prints them (errors.warnings_left), when they change."""
        if outcome.warnings != self._warnings:
            self._warnings = outcome.warnings
            for problem in outcome.warnings[:WARNINGS_SHOWN]:
                self.console.print(f"  [yellow]warning[/]: {escape(str(problem))}", soft_wrap=True)
            for line in warnings_left(outcome.warnings):
                self.console.print(f"  {escape(line)}", soft_wrap=True)
