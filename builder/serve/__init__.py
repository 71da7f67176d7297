"""`foretell serve`: build the site in memory, serve it, rebuild on change, reload the browser.

    watch.py    file events -> debounced batches of changes, sorted by kind
    rebuild.py  the site built again and again in memory, reusing what did not change
    warm.py     its first build: what changed since `foretell build` made, the rest read back
    state.py    the live site: one Rebuilder, rebuilt on each batch, swapped in atomically
    inject.py   what serve adds to HTML: the live-reload script and the error overlay
    server.py   the Starlette app: site files from memory, the event stream, safe paths
    command.py  the `serve` subcommand: options, terminal output, uvicorn, clean Ctrl-C

Nothing here is imported by `foretell build`: the CLI imports only command.py, which loads
the web server lazily.
"""
