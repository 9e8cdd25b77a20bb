"""A signed-in person's browser, reduced to what the load needs: one kept-alive connection
(TLS to the balancer, or plain HTTP straight to a node, saying X-Forwarded-Proto as the
balancer would), cookies, the CSRF token, multipart uploads (at full speed, or streamed
slowly as from a poor connection). Every request is recorded with when it started and ended,
who answered (the balancer's X-Served-By, also on the balancer's own 502) and how."""

import dataclasses
import http.client
import http.cookies
import socket
import ssl
import threading
import time
import urllib.parse
import uuid

from rocu_tracker.tests.test_deployment import _Page

TIMEOUT = 30


@dataclasses.dataclass
class Record:
    user: str
    method: str
    path: str
    started: float
    ended: float
    status: int | None  # None: no answer (the connection failed)
    served_by: str = ""
    location: str = ""
    error: str = ""
    id: str = ""  # sent as X-Cluster-Request, which the test's balancer logs
    port: int = 0  # this end's port of the connection it went on

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 500


@dataclasses.dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Browser:
    def __init__(self, name: str, host: str, port: int, *, tls: bool, records: list | None):
        self.name, self.host, self.port, self.tls = name, host, port, tls
        self.cookies: dict[str, str] = {}
        self.records = records if records is not None else []
        self._lock = threading.Lock()
        self._connection = None
        self.connections = 0  # opened; requests on the same one are kept-alive reuses
        self.sent = 0
        self._served_by = ""

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def _connect(self):
        if self.tls:
            # The balancer's self-signed certificate, on this machine's loopback only.
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=TIMEOUT, context=context
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)

    def request(self, method: str, path: str, body=None, **headers: str):
        """The response, or None if the connection failed (recorded either way). The body
        is bytes, or an iterable of bytes (sent as it comes) with a Content-Length."""
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not self.tls:
            headers["X-Forwarded-Proto"] = "https"  # standing in for the balancer
        if method == "POST":
            headers["Origin"] = self.origin
        self.sent += 1
        headers["X-Cluster-Request"] = f"{self.name}-{self.sent}"
        started = time.monotonic()
        record = Record(self.name, method, path, started, started, None)
        record.id = headers["X-Cluster-Request"]
        self._served_by, self._port = "", 0
        try:
            response = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self._close()
            record.ended, record.error = time.monotonic(), f"{type(error).__name__}: {error}"
            record.served_by = self._served_by  # when the answer was cut off after its head
            record.port = self._port
            self.records.append(record)
            return None
        record.ended, record.status = time.monotonic(), response.status
        record.port = self._port
        record.served_by = response.headers.get("X-Served-By", "")
        record.location = response.headers.get("Location", "")
        self.records.append(record)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        return response

    def _send(self, method, path, body, headers) -> Response:
        """As a browser does: a kept-alive connection the balancer has closed meanwhile
        (idle past its timeout) fails before any answer, and is retried once on a new one."""
        for attempt in (1, 2):
            reused = self._connection is not None
            if not reused:
                self._connection = self._connect()
                self._connection.connect()
                self.connections += 1
            self._port = self._connection.sock.getsockname()[1]
            try:
                self._connection.request(method, path, body=body, headers=headers)
                raw = self._connection.getresponse()
                self._served_by = raw.headers.get("X-Served-By", "")
                response = Response(raw.status, raw.headers, raw.read())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._close()
                if reused and attempt == 1 and not _streamed(body):
                    continue
                raise
            if raw.will_close:
                self._close()
            return response
        raise AssertionError("unreachable")

    def _close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def get(self, path: str):
        return self.request("GET", path)

    def post(
        self,
        path: str,
        fields: dict,
        files: dict | None = None,
        *,
        over: float = 0,
        sending: threading.Event | None = None,
        **headers,
    ):
        """With `over` (seconds), the body is streamed evenly over that time, as from a slow
        connection: the request stays in flight on the node that reads it (`sending` is
        set once its first part has gone)."""
        if files:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, fields, files)
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        if over:
            headers["Content_Length"] = str(len(body))
            body = _paced(body, over, sending or threading.Event())
        return self.request("POST", path, body, Content_Type=content_type, **headers)

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        assert page is not None and page.status == 200, (self.name, page)
        form = _Page(page.text).form_with("password")
        response = self.post(
            "/accounts/login/", {**form["fields"], "username": username, "password": password}
        )
        assert response is not None and response.status == 302, (
            self.name,
            response and response.text[:2000],
        )
        assert "sessionid" in self.cookies

    def signed_in(self, response: Response | None) -> bool:
        """The answer is not a redirect to the sign-in page."""
        location = response.headers.get("Location", "") if response else ""
        return response is not None and "/accounts/login/" not in location

    def close(self):
        self._close()


def _multipart(boundary: str, fields: dict, files: dict) -> bytes:
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def _streamed(body) -> bool:
    """A body sent as it comes, which cannot be sent a second time."""
    return body is not None and not isinstance(body, bytes)


def _paced(body: bytes, seconds: float, sending: threading.Event, pieces: int = 100):
    size = -(-len(body) // pieces)
    for start in range(0, len(body), size):
        yield body[start : start + size]
        sending.set()
        time.sleep(seconds / pieces)


def csrf_fields(page_text: str, action_suffix: str) -> dict:
    """The fields (and the select options) of the page's form posting to ...action_suffix."""
    (form,) = [f for f in _Page(page_text).forms if f["action"].endswith(action_suffix)]
    return form


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False
