"""Posting to addresses other systems give us, without being turned against our own network.

An endpoint's host name is checked when it is registered, but a name can resolve to a private
address, or change its answer later (DNS rebinding). So the connection itself is checked: the name
is resolved here, every address it has must be public, and the connection is made to an address
that was checked (TLS still names the host, so its certificate is verified as usual).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx


class PublicAddressesOnly(httpcore.SyncBackend):
    """httpcore's own sockets, opened only to public addresses."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpcore.ConnectError(f"{host}: {error}") from error
        addresses = [str(answer[4][0]) for answer in answers]
        for address in addresses:
            if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
                raise httpcore.ConnectError(f"{host} resolves to {address}, which is not a public address")
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


def public_transport() -> httpx.HTTPTransport:
    """A transport that reaches public addresses only (no proxy from the environment)."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no argument for httpcore's network backend: the pool it built is replaced by the
    # same pool on ours (httpx 0.28, httpcore 1.0).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=PublicAddressesOnly()
    )
    return transport
