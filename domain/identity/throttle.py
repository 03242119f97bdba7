"""Login throttling in Redis: repeated failures lock an account (and an address) for a while."""

from __future__ import annotations

import hashlib

from redis import Redis

from domain.kit.errors import TooManyAttempts


class LoginThrottle:
    # An address may fail for several accounts (an office behind one NAT) before being locked.
    ip_factor = 4

    def __init__(self, redis: Redis, *, max_failures: int, window_seconds: int) -> None:
        self._redis = redis
        self.max_failures = max_failures
        self.window = window_seconds

    @staticmethod
    def _keys(email: str, ip: str | None) -> list[tuple[str, int]]:
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]
        keys = [(f"comptoir:login-fail:email:{digest}", 1)]
        if ip:
            keys.append((f"comptoir:login-fail:ip:{ip}", LoginThrottle.ip_factor))
        return keys

    def check(self, email: str, ip: str | None) -> None:
        for key, factor in self._keys(email, ip):
            count = int(self._redis.get(key) or 0)
            if count >= self.max_failures * factor:
                minutes = max(1, (int(self._redis.ttl(key)) + 59) // 60)
                raise TooManyAttempts(
                    f"Trop de tentatives de connexion. Réessayez dans {minutes} minute(s)."
                )

    def fail(self, email: str, ip: str | None) -> None:
        for key, _ in self._keys(email, ip):
            if int(self._redis.incr(key)) == 1:
                # The window starts at the first failure (EXPIRE NX needs Redis 7).
                self._redis.expire(key, self.window)

    def reset(self, email: str) -> None:
        self._redis.delete(self._keys(email, None)[0][0])
