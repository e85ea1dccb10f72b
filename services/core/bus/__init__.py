"""The event bus: RabbitMQ in production, an in-process bus for the all-in-one laptop mode."""

from __future__ import annotations

from services.core.bus.base import Bus, OutboundMessage, RetryPolicy
from services.core.settings import Settings


def create_bus(settings: Settings) -> Bus:
    policy = RetryPolicy(settings.retry_delays_seconds)
    if settings.bus_url.startswith("memory://"):
        from services.core.bus.memory import MemoryBus

        return MemoryBus(policy)
    from services.core.bus.rabbit import RabbitBus

    return RabbitBus(settings.bus_url, policy, prefetch=settings.consumer_prefetch,
                     concurrency=settings.consumer_concurrency,
                     coalesce_seconds=settings.consumer_coalesce_ms / 1000)


__all__ = ["Bus", "OutboundMessage", "RetryPolicy", "create_bus"]
