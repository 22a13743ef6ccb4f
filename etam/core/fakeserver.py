"""What the fake outside servers share (the Dukcapil and national fakes in interop, the BSrE
signing hub in eservices): a threaded, quiet WSGI server, run in the foreground (``python -m …``)
or on a background thread (tests). In core so that both domains use the one copy. Not for
production."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

HOST = "127.0.0.1"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:  # no request lines (they are noise in tests)
        pass


def server_for(app: Any, port: int, host: str = HOST) -> WSGIServer:
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)


def serve(app: Any, port: int, banner: str, host: str = HOST) -> None:
    """Serve ``app`` on ``host:port`` until interrupted, after printing ``banner``."""
    server = server_for(app, port, host)
    print(banner, flush=True)
    server.serve_forever()


class Background:
    """``app`` served on a background thread (tests); ``stop()`` makes it "down".

    Requests go to ``self.app`` as it is when they arrive, so a subclass whose app needs the
    server's URL may pass ``app=None`` and set ``self.app`` once ``self.url`` is known.
    """

    def __init__(self, app: Any, *, port: int = 0, host: str = HOST) -> None:
        self.app = app
        self.server = server_for(lambda environ, start_response: self.app(environ, start_response), port, host)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
