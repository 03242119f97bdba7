"""Aggregating repeated refusals so that noise cannot flood the append-only audit log.

A client sending garbage bearer tokens in a loop would otherwise add one permanent row per
request. Refusals are counted in Redis per (key, minute); only the first of each minute is
written, carrying how many the same key had in the previous minute.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass

from redis import Redis

log = logging.getLogger("comptoir.audit")


def address_bucket(ip: str | None) -> str:
    """The unit counters are kept per: an IPv4 address, or an IPv6 /64 (one subscriber
    usually holds a whole /64 and could otherwise rotate through it)."""
    if not ip:
        return "-"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d: each is its own
        # IPv4 client, not one /64 shared by every IPv4 client of the server.
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True, slots=True)
class WindowCount:
    first: bool  # the first refusal of this key in the current window
    previous: int  # how many the previous window had


class RefusalWindows:
    def __init__(self, redis: Redis, *, window_seconds: int = 60) -> None:
        self._redis = redis
        self.window = window_seconds

    def count(self, key: str) -> WindowCount:
        bucket = int(time.time() // self.window)
        current = f"comptoir:refusals:{key}:{bucket}"
        pipe = self._redis.pipeline()
        pipe.incr(current)
        pipe.expire(current, self.window * 3)
        pipe.get(f"comptoir:refusals:{key}:{bucket - 1}")
        n, _, previous = pipe.execute()
        n = int(n)
        if n in (100, 1_000, 10_000, 100_000):
            log.warning("refusals for %s: %d in the current window", key, n)
        return WindowCount(first=n == 1, previous=int(previous or 0))
