"""Login and sign-up throttling in Redis, decided atomically before any password is checked.

Each login attempt first takes a slot in one Lua script (Redis runs it as one step), so a
burst of parallel guesses is counted before any of them reaches the password hash:

- per (account, address): a few free attempts, then each further attempt must wait an
  exponentially growing delay after the previous one. A stranger elsewhere slows down only
  their own address; the owner, coming from another address, still logs in.
- per address: a cap on failed logins per minute (credential stuffing across accounts).
  A successful login gives its slot back, so an office behind one NAT is not penalised.
- per address: a cap on sign-ups per hour.
"""

from __future__ import annotations

import hashlib
import math
import time

from redis import Redis

from domain.audit.sampling import address_bucket
from domain.kit.errors import TooManyAttempts
from domain.kit.ratelimit import FixedWindow

# KEYS: pair hash (account, address), address failure counter.
# ARGV: now_ms, free attempts, base delay ms, max delay ms, pair ttl s, ip cap, ip window s.
# Returns {allowed (1/0), wait_ms}.
_TAKE_SLOT = """
local ipn = redis.call('INCR', KEYS[2])
if ipn == 1 then redis.call('EXPIRE', KEYS[2], ARGV[7]) end
if ipn > tonumber(ARGV[6]) then
  return {0, math.max(redis.call('PTTL', KEYS[2]), 1000)}
end
local now = tonumber(ARGV[1])
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
if n <= tonumber(ARGV[2]) then return {1, 0} end
local wait_until = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if now < wait_until then
  -- A refused attempt is not a checked guess: it neither lengthens the wait nor counts.
  redis.call('HINCRBY', KEYS[1], 'n', -1)
  return {0, wait_until - now}
end
local delay = math.min(tonumber(ARGV[3]) * 2 ^ (n - tonumber(ARGV[2]) - 1), tonumber(ARGV[4]))
redis.call('HSET', KEYS[1], 'until', now + delay)
return {1, 0}
"""

# KEYS: pair hash, address failure counter. Forget the pair; give the address its slot
# back, without creating the counter (a DECR on a missing key would leave -1, forever).
_SUCCEEDED = """
redis.call('DEL', KEYS[1])
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if n > 0 then redis.call('DECR', KEYS[2]) end
return n
"""


SIGNUP_WINDOW_S = 3600


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _minutes(wait_ms: int) -> int:
    return max(1, math.ceil(wait_ms / 60_000))


class LoginThrottle:
    """Slots for login and sign-up attempts. ``take_login_slot`` before checking the
    password, ``login_succeeded`` after a success; a failure needs no further call."""

    def __init__(
        self,
        redis: Redis,
        *,
        free_attempts: int = 3,
        base_delay_seconds: float = 1.0,
        max_delay_seconds: int = 900,
        ip_failures_per_minute: int = 30,
        signups_per_hour: int = 20,
    ) -> None:
        self._redis = redis
        self._take = redis.register_script(_TAKE_SLOT)
        self._succeeded = redis.register_script(_SUCCEEDED)
        self._signups = FixedWindow(redis, SIGNUP_WINDOW_S)
        self.free_attempts = free_attempts
        self.base_delay_ms = int(base_delay_seconds * 1000)
        self.max_delay_ms = max_delay_seconds * 1000
        self.ip_failures_per_minute = ip_failures_per_minute
        self.signups_per_hour = signups_per_hour

    @staticmethod
    def _pair_key(email: str, ip: str | None) -> str:
        return f"comptoir:login:pair:{_digest(email)}:{address_bucket(ip)}"

    @staticmethod
    def _ip_key(ip: str | None) -> str:
        return f"comptoir:login:ip:{address_bucket(ip)}"

    def take_login_slot(self, email: str, ip: str | None) -> None:
        """Count this attempt now, or refuse it (429) without it being checked."""
        allowed, wait_ms = self._take(
            keys=[self._pair_key(email, ip), self._ip_key(ip)],
            args=[
                int(time.time() * 1000),
                self.free_attempts,
                self.base_delay_ms,
                self.max_delay_ms,
                max(3600, self.max_delay_ms // 1000 * 2),
                self.ip_failures_per_minute,
                60,
            ],
        )
        if not int(allowed):
            wait = int(wait_ms)
            delay = f"{_minutes(wait)} minute(s)" if wait >= 60_000 else f"{wait // 1000 + 1} s"
            raise TooManyAttempts(
                f"Trop de tentatives de connexion. Réessayez dans {delay}.", retry_after_ms=wait
            )

    def login_succeeded(self, email: str, ip: str | None) -> None:
        """The owner got in from this address: forget its failures and give back its slot."""
        self._succeeded(keys=[self._pair_key(email, ip), self._ip_key(ip)])

    @staticmethod
    def signup_key(ip: str | None) -> str:
        return f"comptoir:signup:ip:{address_bucket(ip)}"

    def take_signup_slot(self, ip: str | None) -> None:
        """Count a sign-up; the hour's window starts at the address's first one."""
        taken = self._signups.take(self.signup_key(ip))
        if taken.count > self.signups_per_hour:
            raise TooManyAttempts(
                "Trop de créations d'entreprise depuis cette adresse. "
                f"Réessayez dans {taken.minutes_left} minute(s)."
            )
