"""A signed-in person's browser, reduced to what the load needs: one kept-alive connection
(TLS to the balancer, or plain HTTP straight to a node, saying X-Forwarded-Proto as the
balancer would), cookies, the CSRF token, multipart uploads. Every request is recorded
with when it started and ended, who answered (the balancer's X-Served-By) and how."""

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

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str):
        """The response, or None if the connection failed (recorded either way)."""
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not self.tls:
            headers["X-Forwarded-Proto"] = "https"  # standing in for the balancer
        if method == "POST":
            headers["Origin"] = self.origin
        started = time.monotonic()
        record = Record(self.name, method, path, started, started, None)
        try:
            response = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self._close()
            record.ended, record.error = time.monotonic(), f"{type(error).__name__}: {error}"
            self.records.append(record)
            return None
        record.ended, record.status = time.monotonic(), response.status
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
            try:
                self._connection.request(method, path, body=body, headers=headers)
                raw = self._connection.getresponse()
                response = Response(raw.status, raw.headers, raw.read())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._close()
                if reused and attempt == 1:
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

    def post(self, path: str, fields: dict, files: dict | None = None):
        if files:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, fields, files)
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, body, Content_Type=content_type)

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
