"""The address of the client a request came from, for throttling (django-axes' login lockout,
the password-reset limit): one function, so every counter keys on the same address.

X-Forwarded-For is believed only from a proxy in TRUSTED_PROXIES (docs/proxy-throttling.md).
With none configured — the default — the header is ignored and REMOTE_ADDR, the address
that opened the connection, is the client: anyone can write the header, so trusting it from
anywhere would let one client pose as many and slip past every limit.

Behind a trusted proxy the header is read from its right-hand end, the entry the proxy itself
added, skipping further trusted proxies; the first address that is not one of ours is the
client. Entries to its left were written by the client and are never believed (django-ipware's
"trusted proxies" compares entries of the header itself, which the client also writes, so it
cannot express "only when the connection comes from our proxy")."""

import functools
import ipaddress

import structlog
from django.conf import settings
from django.core import checks
from django.dispatch import receiver
from django.http import HttpRequest
from django_structlog.signals import bind_extra_request_metadata

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket shows as ::ffff:a.b.c.d; count it as a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or — when REMOTE_ADDR is a trusted proxy — the
    right-most address in X-Forwarded-For that is not a trusted proxy. Used as
    AXES_CLIENT_IP_CALLABLE and by the password-reset throttle."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _trusted_networks()
    peer = _address(remote) if remote else None
    if peer is None or not networks or not _is_trusted(peer, networks):
        return str(peer) if peer is not None else remote
    client = peer
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = _address(entry)
        if hop is None:
            # A malformed entry ends what can be believed; the last trusted hop stands.
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A TRUSTED_PROXIES entry that is not an address or a network stops start-up, rather
    than failing every sign-in later."""
    errors: list[checks.CheckMessage] = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"TRUSTED_PROXIES entry {entry!r} is not an IP address or network.",
                    hint='Use addresses or CIDR networks, e.g. "127.0.0.1" or "10.0.0.0/24".',
                    id="core.E001",
                )
            )
    return errors


@receiver(bind_extra_request_metadata)
def _log_the_client_address(request, **kwargs) -> None:
    """The request log's `ip` is the same client address the throttles use: django-structlog
    would otherwise take X-Forwarded-For from anyone (ipware), so a client could write any
    address into the logs."""
    structlog.contextvars.bind_contextvars(ip=client_ip_address(request))
