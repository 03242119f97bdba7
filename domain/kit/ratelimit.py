"""Fixed-window counters in Redis: how many times something happened since the window
opened, for limits such as sign-ups per address or uploads per business."""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

# KEYS: the counter. ARGV: window in seconds. Returns {count, pttl_ms}. One step, so no crash
# can leave a counter without expiry (which would refuse for good); a counter found so is
# given its expiry back.
_TAKE = """
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
"""


@dataclass(frozen=True, slots=True)
class Taken:
    count: int  # this one included
    wait_ms: int  # until the window closes

    @property
    def minutes_left(self) -> int:
        return max(1, (self.wait_ms + 59_999) // 60_000)


class FixedWindow:
    """``take(key)`` counts one more in ``key``'s window, which opens at its first count."""

    def __init__(self, redis: Redis, window_seconds: int) -> None:
        self._take = redis.register_script(_TAKE)
        self.window = window_seconds

    def take(self, key: str) -> Taken:
        count, wait = self._take(keys=[key], args=[self.window])
        return Taken(int(count), int(wait))
