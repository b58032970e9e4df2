"""URL rules for third-party mini-apps.

Redirect URIs are absolute, without fragment (RFC 6749 §3.1.2), and use ``https``; plain
``http`` is accepted only on loopback hosts, for development (RFC 8252 §7.3). The same rule
applies to home, icon, webhook and back-channel logout URLs.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from miniapps.platform.errors import InsecureUrl, InternalUrl, InvalidUrl

MAX_URL_LENGTH = 2000
LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_internal(host: str) -> bool:
    """A host the server must not be pointed at: loopback, private, link-local or reserved."""
    if is_loopback(host) or host.lower().endswith((".localhost", ".local", ".internal")):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified


def check_url(
    value: str, field: str, *, loopback_http: bool = True, allow_query: bool = True, public_host: bool = False
) -> str:
    """Return ``value`` if it is an acceptable URL for ``field``, else raise a 422 problem.

    ``loopback_http=False`` (production) refuses ``http://`` even on loopback hosts;
    ``public_host=True`` (URLs the server itself calls, in production) refuses internal hosts.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH or value != value.strip():
        raise InvalidUrl(params={"field": field}, field=field)
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidUrl(params={"field": field}, field=field) from exc
    if parts.scheme not in ("https", "http") or not host or parts.fragment or "#" in value:
        raise InvalidUrl(params={"field": field}, field=field)
    if parts.username or parts.password or (parts.query and not allow_query):
        raise InvalidUrl(params={"field": field}, field=field)
    if parts.scheme == "http" and not (loopback_http and is_loopback(host)):
        raise InsecureUrl(params={"field": field}, field=field)
    if public_host and is_internal(host):
        raise InternalUrl(params={"field": field}, field=field)
    return value
