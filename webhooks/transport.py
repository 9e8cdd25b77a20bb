"""What leaves the machine: the signature, the check that an endpoint's address is one we may
call, and the POST itself.

Threat: a webhook URL is an address our server calls on an organisation administrator's
word, so it could aim at our own network (server-side request forgery: the database, Redis,
a cloud metadata service). Only https:// to public addresses is accepted, plain http:// and
private addresses only to the hosts of WEBHOOK_ALLOW_HTTP_HOSTS. The address is resolved
and checked again at every send, and the connection goes to the address checked (not to a
second lookup that could answer differently). Redirects are not followed."""

import dataclasses
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings

SIGNATURE_HEADER = "Webhook-Signature"
ID_HEADER = "Webhook-Id"
EXCERPT_BYTES = 500


class UnsafeAddress(Exception):
    """The URL is not one we call."""


class DeliveryError(Exception):
    """The POST did not get an answer: connection refused, timed out, TLS failure."""


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>`."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _allowed_hosts() -> set[str]:
    return {host.lower() for host in settings.WEBHOOK_ALLOW_HTTP_HOSTS}


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


def checked_target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) for a URL we may call, else UnsafeAddress
    saying why."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    allowed_host = host in _allowed_hosts()
    if scheme not in ("https", "http"):
        raise UnsafeAddress("The address must start with https://.")
    if scheme == "http" and not allowed_host:
        raise UnsafeAddress("The address must start with https:// (plain http is not secure).")
    if not host:
        raise UnsafeAddress("The address has no host name.")
    if parts.username or parts.password:
        raise UnsafeAddress("Leave the user name and password out of the address.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeAddress("The address's port is not a number.") from None
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeAddress(f"The host {host} could not be found.") from None
    addresses = [info[4][0] for info in found]
    if not allowed_host and not all(_is_public(address) for address in addresses):
        raise UnsafeAddress(
            f"The host {host} is on a private or local network; webhooks go to public "
            "addresses only."
        )
    return scheme, host, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to `url` (checked first) and return the status and the start of the
    answer; DeliveryError if no answer came within `timeout` seconds a step."""
    scheme, host, port, address = checked_target(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return Answer(status=response.status, excerpt=excerpt)
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}"[:300]) from error
    finally:
        connection.close()
