"""A real HTTP receiver on 127.0.0.1 (http.server in a thread, on a free port): it records
every request it gets and answers with the status the test sets. With `hold`, it records the
request, says so (`arrived`) and keeps the connection open until the test releases it."""

import hashlib
import hmac
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rocu_tracker.tests.real_servers import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, *, status: int = 200, hold: bool = False) -> None:
        self.status = status
        self.requests: list[Received] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/rocu"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received(self.path, dict(self.headers), body))
                receiver.arrived.set()
                receiver.release.wait(timeout=60)
                answer = b'{"ok": true}' if receiver.status < 300 else b"Internal error"
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


def signature_is_valid(received: Received, secret: str) -> bool:
    """What a receiver does (README "Webhooks"): recompute the HMAC of "<t>.<body>"."""
    fields = dict(part.split("=", 1) for part in received.headers["Webhook-Signature"].split(","))
    signed = fields["t"].encode() + b"." + received.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])
