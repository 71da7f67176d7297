"""Which way a build goes, cheapest first: nothing to do (freshness.py), the shortcut for
prediction files edited in the ways it takes (body, display, forecast, terms: shortcut.py), or
the full incremental build (build.py).

Each later way is imported only once the earlier ones have said no, so that a small rebuild
does not pay for the imports of a big one (the full pipeline's cost a fifth of a second).
"""

from __future__ import annotations

from builder.incremental import cache, freshness
from builder.incremental.freshness import Freshness
from builder.options import BuildOptions, Report
from builder.write import ownership


def build(options: BuildOptions, fresh: Freshness | None = None) -> Report:
    """`fresh` is the up-to-date check, if already made. Raises ownership.OutputRefused for an
    output folder that holds sources, or holds files no build recorded and no `force`."""
    ownership.check_folder(options.root, options.out)
    fresh = fresh or freshness.check(options)
    if fresh.up_to_date:
        return freshness.no_op_report(fresh)
    fresh.owned = ownership.claim(
        options.out,
        force=options.force,
        adopted=lambda: cache.legacy_outputs(options.root, options.out_names),
    )
    if not options.clean:
        from builder.incremental import shortcut

        report = shortcut.try_build(options, fresh)
        if report is not None:
            return report
    from builder.incremental import build as full

    return full.build(options, fresh)
