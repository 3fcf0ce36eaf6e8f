"""Payment providers behind one interface. ``get_provider(name)`` returns the adapter."""

from __future__ import annotations

from collection.providers.base import (
    Checkout,
    PaymentProvider,
    ProviderError,
    ProviderStatus,
    RefundAnswer,
    SettlementNotOffered,
    WebhookEvent,
    WebhookRejected,
)


def get_provider(name: str) -> PaymentProvider:
    from collection.constants import Provider

    if name == Provider.SANDBOX:
        from collection.providers.sandbox import SandboxProvider

        return SandboxProvider()
    if name == Provider.FIB:
        from collection.providers.fib import FibProvider

        return FibProvider()
    raise ProviderError(f"no online provider called {name!r}")


__all__ = [
    "Checkout",
    "PaymentProvider",
    "ProviderError",
    "ProviderStatus",
    "RefundAnswer",
    "SettlementNotOffered",
    "WebhookEvent",
    "WebhookRejected",
    "get_provider",
]
