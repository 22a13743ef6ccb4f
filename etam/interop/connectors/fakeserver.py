"""What the fake national servers share: a threaded, quiet WSGI server, run in the foreground
(``python -m …``) or on a background thread (tests). Not for production."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

HOST = "127.0.0.1"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def server_for(app: Any, port: int) -> WSGIServer:
    return make_server(HOST, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)


def serve(app: Any, port: int, banner: str) -> None:
    """Serve ``app`` on ``port`` until interrupted, after printing ``banner``."""
    server = server_for(app, port)
    print(banner)
    server.serve_forever()


class Background:
    """``app`` served on a background thread (tests); ``stop()`` makes it "down"."""

    def __init__(self, app: Any, *, port: int = 0) -> None:
        self.app = app
        self.server = server_for(app, port)
        self.port = self.server.server_port
        self.url = f"http://{HOST}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
