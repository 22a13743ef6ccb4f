"""Calls out to other systems: one way to do timeouts, retries and the circuit breaker (ADR 0151).

Every connector (the signing service, the interoperability gateway's providers, the national
systems) goes through an ``Outbound``: a connect/read timeout on every request, bounded retries
with exponential back-off for transient failures (connection errors, timeouts, 5xx; tenacity),
only for idempotent methods unless the caller says otherwise, an optional daily quota of calls,
and a circuit breaker per system (pybreaker): after ``fail_max`` failed calls in a row the system is not called for
``reset_timeout`` seconds and ``Unavailable`` is raised at once. The breaker lives in the
process; the last success and failure are also written to the cache so an admin page served by
any web node shows them (``health``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pybreaker
import requests
from django.core.cache import cache
from django.utils import timezone
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from etam.core import ratelimit

logger = logging.getLogger("etam.core.outbound")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
CONNECT_TIMEOUT = 3.0


class Unavailable(Exception):
    """No usable answer: refused connection, timeout or 5xx after the retries, or the breaker is open."""

    def __init__(
        self, system: str, reason: str, *, timed_out: bool = False, circuit_open: bool = False, quota: bool = False
    ) -> None:
        super().__init__(f"{system}: {reason}")
        self.system = system
        self.reason = reason
        self.timed_out = timed_out
        self.circuit_open = circuit_open
        self.quota = quota


class _Transient(Exception):
    def __init__(self, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.timed_out = timed_out


@dataclass(frozen=True)
class Health:
    name: str
    state: str  # "closed" (calls go out), "open" (refused at once), "half-open" (one trial call)
    failures_in_a_row: int
    last_success: str | None
    last_failure: str | None
    last_error: str

    @property
    def ok(self) -> bool:
        return self.state == "closed" and (self.last_failure is None or (self.last_success or "") >= self.last_failure)


class Outbound:
    """A system Etam calls. ``excluded`` exceptions (a refusal that retrying cannot change) do not
    count as failures of the system."""

    def __init__(
        self,
        name: str,
        *,
        timeout: float,
        attempts: int = 3,
        fail_max: int = 5,
        reset_timeout: float = 60,
        excluded: tuple[type[BaseException], ...] = (),
        daily_quota: int | None = None,
    ) -> None:
        self.name = name
        # Etam's own cap of calls per (UTC) day, counted across web nodes (core.ratelimit: Redis in
        # production), kept under the agreement with the other side so a burst cannot spend it all.
        self.daily_quota = daily_quota
        self.timeout = timeout
        self.attempts = attempts
        self.session = requests.Session()
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max, reset_timeout=reset_timeout, exclude=list(excluded), name=name
        )

    def request(self, method: str, url: str, *, attempts: int | None = None, **kwargs: Any) -> requests.Response:
        """One logical call. Retried (``attempts``, default: the system's for idempotent methods,
        1 otherwise) on connection errors, timeouts and 5xx; 4xx answers come back as they are."""
        method = method.upper()
        if (
            self.daily_quota is not None
            and not ratelimit.hit(f"outbound:{self.name}", self.daily_quota, 86_400).allowed
        ):
            self._note_failure("daily quota used up")
            raise Unavailable(self.name, "quota", quota=True)
        tries = attempts if attempts is not None else (self.attempts if method in IDEMPOTENT else 1)
        kwargs.setdefault("timeout", (min(CONNECT_TIMEOUT, self.timeout), self.timeout))

        @retry(
            retry=retry_if_exception_type(_Transient),
            stop=stop_after_attempt(max(1, tries)),
            wait=wait_exponential(multiplier=0.2, max=2),
            reraise=True,
        )
        def attempt() -> requests.Response:
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.Timeout as exc:
                raise _Transient(exc.__class__.__name__, timed_out=True) from None
            except requests.RequestException as exc:
                raise _Transient(exc.__class__.__name__) from None
            if response.status_code >= 500:
                raise _Transient(f"HTTP {response.status_code}")
            return response

        try:
            response = self.breaker.call(attempt)
        except pybreaker.CircuitBreakerError:
            self._note_failure("circuit open")
            raise Unavailable(self.name, "circuit open", circuit_open=True) from None
        except _Transient as exc:
            logger.warning("%s unavailable (%s %s): %s", self.name, method, url, exc)
            self._note_failure(str(exc))
            raise Unavailable(self.name, str(exc), timed_out=exc.timed_out) from None
        self._note_success()
        return response

    # -- health -------------------------------------------------------------------------
    def _cache_key(self) -> str:
        return f"outbound:{self.name}"

    def _note(self, **changes: Any) -> None:
        state = cache.get(self._cache_key()) or {}
        state.update(changes)
        cache.set(self._cache_key(), state, timeout=7 * 86400)

    def _note_success(self) -> None:
        self._note(last_success=timezone.now().isoformat())

    def _note_failure(self, reason: str) -> None:
        self._note(last_failure=timezone.now().isoformat(), last_error=reason[:200])

    def health(self) -> Health:
        state = cache.get(self._cache_key()) or {}
        return Health(
            name=self.name,
            state=str(self.breaker.current_state),
            failures_in_a_row=self.breaker.fail_counter,
            last_success=state.get("last_success"),
            last_failure=state.get("last_failure"),
            last_error=state.get("last_error", ""),
        )


_systems: dict[str, Outbound] = {}
_lock = threading.Lock()


def system(name: str, factory: Callable[[], Outbound]) -> Outbound:
    """The process's one ``Outbound`` for ``name`` (made by ``factory`` on first use), so every
    caller of a system shares its breaker."""
    with _lock:
        if name not in _systems:
            _systems[name] = factory()
        return _systems[name]


def health_of_all() -> list[Health]:
    with _lock:
        known = list(_systems.values())
    return sorted((item.health() for item in known), key=lambda h: h.name)


def forget(name: str | None = None) -> None:
    """Drop one system (or all): tests and a changed setting start from a closed breaker."""
    with _lock:
        if name is None:
            _systems.clear()
        else:
            _systems.pop(name, None)
