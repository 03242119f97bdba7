"""Throttling counts per subscriber, not per rotating address."""

from __future__ import annotations

import pytest

from domain.audit.sampling import address_bucket


class TestAddressBucket:
    @pytest.mark.parametrize(
        ("ip", "bucket"),
        [
            ("203.0.113.7", "203.0.113.7"),
            ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
            ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
            (None, "-"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
            ("::ffff:198.51.100.9", "198.51.100.9"),
        ],
    )
    def test_ipv6_addresses_of_one_64_share_a_bucket(self, ip: str | None, bucket: str) -> None:
        assert address_bucket(ip) == bucket
