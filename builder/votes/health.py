"""What `/healthz` says about the vote database: does it still accept writes?

Every commit records its outcome (`VoteStore.last_write`). A recent one is trusted as is; an old
one (or none) is refreshed by a write probe, so a check between votes still notices a database
that went read-only or corrupt, and notices it working again once repaired. Probes are shared:
a flood of health checks costs at most one probe at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time

from .store import VoteStore

PROBE_AFTER_S = 10.0  # a commit older than this is checked again by a probe
PROBE_TIMEOUT_S = 1.5  # the check answers within this even when the disk does not
NOT_WRITABLE = "the vote database is not accepting writes"

log = logging.getLogger("foretell.votes")


class WriteHealth:
    def __init__(self, store: VoteStore) -> None:
        self.store = store
        self._probe: asyncio.Future[None] | None = None

    async def problem(self) -> str | None:
        """None when votes can be stored, else what is wrong (for clients: no internals; the
        log has the database's own error)."""
        if self.store.closed:  # shutting down: no vote can be stored any more
            return NOT_WRITABLE
        last = self.store.last_write
        if last is None or time.monotonic() - last.at > PROBE_AFTER_S:
            problem = await self._probed()
            if problem is not None:
                return problem
            last = self.store.last_write
        if last is None or not last.ok:
            return NOT_WRITABLE
        return None

    async def _probed(self) -> str | None:
        try:
            probe = self._probe  # one at a time per event loop (tests run several loops)
            if probe is None or probe.done() or probe.get_loop() is not asyncio.get_running_loop():
                probe = self._probe = asyncio.wrap_future(self.store.submit_probe())
            # shield: a check that gives up must not cancel the probe others are waiting for.
            await asyncio.wait_for(asyncio.shield(probe), PROBE_TIMEOUT_S)
        except TimeoutError:
            log.error("health check: no write completed within %g s", PROBE_TIMEOUT_S)
            return f"the vote database did not complete a write within {PROBE_TIMEOUT_S:g} s"
        except Exception as exc:  # StoreClosed, sqlite3.Error...
            log.error("health check: %s: %s", NOT_WRITABLE, exc)
            return NOT_WRITABLE
        return None
