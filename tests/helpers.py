"""Small helpers several test modules share (model factories are in tests/factories.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.urls import reverse


def client_for(user) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def post_register(client: Client, password: str, *, meta: dict | None = None, **fields: str):
    """Post the citizen registration form as "Rina Wati" with `password` typed twice.

    `fields` override form fields (email, phone, password2, ...); `meta` goes to the request
    (REMOTE_ADDR, forwarded-for headers). The auth, hasher and rate-limit tests register alike.
    """
    data = {"full_name": "Rina Wati", "email": "", "phone": "", "password1": password, "password2": password}
    return client.post(reverse("register"), {**data, **fields}, **(meta or {}))


def run_threads(
    target: Callable[..., object], count: int, *, timeout: float | None = None, indexed: bool = False
) -> None:
    """Run `target` in `count` threads at once and wait for all of them; `indexed` passes each
    thread its number (0 to count - 1)."""
    threads = [threading.Thread(target=target, args=(i,) if indexed else ()) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler], port: int = 0) -> Iterator[ThreadingHTTPServer]:
    """`handler` served on 127.0.0.1:`port` (0: a free one) from a background thread until the block ends.

    The tests' stub HTTP servers (an OPD provider, an SMS gateway, nginx's upstreams) start and stop alike.
    """
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def skip_unless_selected(config, items, marker: str, reason: str) -> None:
    """Skip the tests carrying `marker` unless the run selects it with `-m <marker>`."""
    if marker in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker(marker):
            item.add_marker(skip)
