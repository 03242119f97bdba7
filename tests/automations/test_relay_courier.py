"""The courier publishes the committed transactions' relays from its own thread, in the
order they were handed over, and keeps going when one of them fails."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from uuid import UUID, uuid4

from automations.relay_courier import Courier


class TestCourier:
    def test_publishes_in_order_on_its_own_thread(self) -> None:
        sent: list[tuple[UUID, tuple[UUID, ...], str]] = []

        def send(tenant_id: UUID, event_ids: Sequence[UUID]) -> None:
            sent.append((tenant_id, tuple(event_ids), threading.current_thread().name))

        courier = Courier(send)
        handed = [(uuid4(), (uuid4(), uuid4())) for _ in range(50)]
        for tenant_id, event_ids in handed:
            courier.hand_over(tenant_id, event_ids)
        assert courier.drain(timeout=5)
        assert [(t, e) for t, e, _ in sent] == handed
        assert {name for _, _, name in sent} == {"event-relays"}

    def test_a_failed_send_does_not_stop_the_next(self) -> None:
        sent: list[UUID] = []
        failing = uuid4()

        def send(tenant_id: UUID, event_ids: Sequence[UUID]) -> None:
            if tenant_id == failing:
                raise ConnectionError("Redis down")
            sent.append(tenant_id)

        courier = Courier(send)
        later = uuid4()
        courier.hand_over(failing, [uuid4()])
        courier.hand_over(later, [uuid4()])
        assert courier.drain(timeout=5)
        assert sent == [later]

    def test_drain_says_when_it_timed_out(self) -> None:
        release = threading.Event()

        def send(tenant_id: UUID, event_ids: Sequence[UUID]) -> None:
            release.wait(5)

        courier = Courier(send)
        courier.hand_over(uuid4(), [uuid4()])
        assert courier.drain(timeout=0.1) is False
        release.set()
        assert courier.drain(timeout=5)

    def test_nothing_handed_over_drains_at_once(self) -> None:
        assert Courier(lambda tenant_id, event_ids: None).drain(timeout=0.01)
