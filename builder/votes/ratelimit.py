"""Per-client rate limiting (token bucket) and working out who the client is."""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import Scope


class RateLimiter:
    """`per_minute` requests per client per minute, as a token bucket.

    A client may spend its whole minute's allowance in a burst, then gets one request every
    60/per_minute seconds. Not thread-safe: it is only used from the event loop.

    Memory is bounded: buckets are kept in least-recently-used order, idle ones (full again)
    are dropped from the old end as we go, and past `max_clients` the oldest are evicted,
    which only ever errs towards letting a request through.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 50_000,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key: (tokens, t)

    def hit(self, key: str) -> int | None:
        """Take one token for `key`. None if allowed, else the seconds to wait (Retry-After)."""
        now = self._clock()
        self._forget_idle(now)
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        retry_after: int | None = None
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            retry_after = max(1, math.ceil((1.0 - tokens) / self.rate))
        self._buckets[key] = (tokens, now)  # re-inserted at the most-recent end
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        return retry_after

    def _forget_idle(self, now: float) -> None:
        # A bucket untouched for capacity/rate seconds is full again: same as no bucket.
        refill_time = self.capacity / self.rate
        while self._buckets:
            key, (_tokens, last) = next(iter(self._buckets.items()))
            if now - last < refill_time:
                break
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class LocalRateLimit:
    """A `RateLimiter` in this process's memory, as the endpoint's `RateLimit`."""

    def __init__(self, per_minute: int) -> None:
        self.limiter = RateLimiter(per_minute)

    async def hit(self, key: str) -> int | None:
        return self.limiter.hit(key)


def client_ip(scope: Scope, *, trust_forwarded_for: bool) -> str:
    """The client's address: the TCP peer, or the proxy's X-Forwarded-For when trusted.

    With a trusted proxy we take the right-most X-Forwarded-For entry: that is the address the
    proxy itself saw (nginx's $proxy_add_x_forwarded_for appends it). Entries to its left came
    from the client and can be forged.
    """
    peer = scope.get("client")
    address = peer[0] if peer else "unknown"
    if trust_forwarded_for:
        headers = scope.get("headers", [])
        values = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
        entries = [e.strip() for e in ",".join(values).split(",") if e.strip()]
        if entries:
            try:
                address = str(ipaddress.ip_address(entries[-1]))
            except ValueError:  # garbage from a misconfigured proxy: fall back to the peer
                return address
    return address


def limit_key(address: str) -> str:
    """The bucket an address counts against: the address, or its /64 for IPv6.

    One IPv6 host usually controls a whole /64, so per-address limits would be no limit.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
