"""The gateway: authenticate the consumer, check the agreement and quota, forward to the provider's
registered address, answer, and log the exchange (ledger). ADR 0152.

The address is always the service's registered host and path; the consumer chooses only the query
string (GET) or the JSON body (POST). No personal data is logged: the request and the answer are
kept as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from etam.core import outbound, ratelimit
from etam.interop import ledger, selectors
from etam.interop.models import Agreement, Consumer, ConsumerKey, DataService, Exchange, ProviderHost

# Provider answers relayed as they are; anything else becomes 502 (the consumer is told the
# provider failed, not given a status the gateway does not document).
RELAYED_STATUSES = frozenset({200, 201, 400, 404})
DAY = 86_400


@dataclass
class GatewayAnswer:
    status: int
    body: bytes
    code: str = ""  # the error code of a refusal ("" when the provider answered)
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    exchange: Exchange | None = None


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _digest(*parts: bytes) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(len(part).to_bytes(8, "big"))
        sha.update(part)
    return sha.hexdigest()


def _consumer_key(raw: str | None) -> ConsumerKey:
    key = selectors.key_for(raw)
    if key is None:
        raise _Refusal(401, "invalid_key", _("Send a valid consumer key in the header X-Consumer-Key."))
    if key.revoked_at is not None:
        raise _Refusal(401, "key_revoked", _("This consumer key was revoked."))
    return key


def _agreement(consumer: Consumer, service: DataService) -> Agreement:
    agreement = (
        Agreement.objects.filter(consumer=consumer, service=service, status=Agreement.Status.APPROVED)
        .order_by("-decided_at")
        .first()
    )
    if agreement is None:
        raise _Refusal(403, "no_agreement", _("This system has no approved agreement for this service."))
    if agreement.valid_until is not None and agreement.valid_until < timezone.localdate():
        raise _Refusal(403, "agreement_expired", _("The agreement for this service has expired."))
    return agreement


def _check_address(host: ProviderHost) -> None:
    """Refuse a host that resolves to a loopback, private, link-local or reserved address unless
    an admin allowed exactly that host (in production; tests and the demo forward to loopback)."""
    if host.allow_private_address or not settings.INTEROP_REFUSE_PRIVATE_ADDRESSES:
        return
    hostname = urlsplit(host.base_url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, None)}
    except OSError:
        raise _Refusal(503, "provider_unavailable", _("The provider's address cannot be resolved.")) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise _Refusal(502, "provider_address_refused", _("The provider's address is not allowed."))


def _system(host: ProviderHost) -> outbound.Outbound:
    return outbound.system(
        f"interop-host-{host.pk}",
        lambda: outbound.Outbound(
            f"interop-host-{host.pk}",
            timeout=settings.INTEROP_PROVIDER_TIMEOUT,
            attempts=settings.INTEROP_PROVIDER_ATTEMPTS,
        ),
    )


def _call_provider(
    service: DataService, exchange_id: str, consumer: Consumer, query: str, body: bytes
) -> tuple[int, bytes]:
    host = service.host
    _check_address(host)
    url = f"{host.base_url}{service.path}" + (f"?{query}" if query else "")
    headers = {"Accept": "application/json", "X-Etam-Exchange-Id": exchange_id, "X-Etam-Consumer": str(consumer.pk)}
    if service.method == DataService.Method.POST:
        headers["Content-Type"] = "application/json"
    try:
        response = _system(host).request(
            service.method, url, headers=headers, data=body or None, allow_redirects=False, stream=True
        )
    except outbound.Unavailable as exc:
        if exc.timed_out:
            raise _Refusal(504, "provider_timeout", _("The provider did not answer in time.")) from None
        raise _Refusal(503, "provider_unavailable", _("The provider cannot be reached now; try again later.")) from None
    limit = settings.INTEROP_MAX_RESPONSE_BYTES
    content = response.raw.read(limit + 1, decode_content=True)
    response.close()
    if len(content) > limit:
        raise _Refusal(502, "provider_malformed", _("The provider's answer is larger than the gateway allows."))
    if response.status_code not in RELAYED_STATUSES:
        raise _Refusal(
            502,
            "provider_error",
            _("The provider answered with an error (HTTP %(status)s).") % {"status": response.status_code},
        )
    try:
        json.loads(content or b"null")
    except ValueError:
        raise _Refusal(502, "provider_malformed", _("The provider's answer is not valid JSON.")) from None
    return response.status_code, content


def forward(*, raw_key: str | None, code: str, method: str, query: str, body: bytes) -> GatewayAnswer:
    """One call through the node. Never raises for the consumer's or the provider's faults: every
    outcome is an answer, and every answer is logged."""
    started = time.monotonic()
    entry = Exchange(requested_at=timezone.now(), method=method.upper()[:8], request_digest="")
    entry.request_digest = _digest(entry.method.encode(), code.encode(), query.encode(), body)
    answer: GatewayAnswer
    try:
        key = _consumer_key(raw_key)
        entry.key_prefix, entry.consumer = key.prefix, key.consumer
        service = DataService.objects.select_related("host").filter(code=code, status=DataService.Status.ACTIVE).first()
        if service is None:
            raise _Refusal(404, "service_not_found", _("No active service has this code."))
        entry.service = service
        entry.agreement = _agreement(key.consumer, service)
        if entry.method != service.method:
            raise _Refusal(
                405, "method_not_allowed", _("This service is called with %(method)s.") % {"method": service.method}
            )
        verdict = ratelimit.hit(f"interop:agreement:{entry.agreement.pk}", entry.agreement.quota_per_day, DAY)
        if not verdict.allowed:
            raise _Refusal(
                429,
                "quota_exceeded",
                _("The agreement's daily quota is used up."),
                {"Retry-After": str(verdict.retry_after)},
            )
        status, content = _call_provider(service, str(entry.exchange_id), key.consumer, query, body)
        answer = GatewayAnswer(status=status, body=content)
        entry.outcome, entry.response_digest = "ok", hashlib.sha256(content).hexdigest()
        if key.last_used_at is None or (timezone.now() - key.last_used_at).total_seconds() > 60:
            ConsumerKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    except _Refusal as refusal:
        answer = GatewayAnswer(
            status=refusal.status, body=b"", code=refusal.code, message=refusal.message, headers=refusal.headers
        )
        entry.outcome = refusal.code
    entry.status_code = answer.status
    entry.latency_ms = int((time.monotonic() - started) * 1000)
    answer.exchange = ledger.append(entry)
    answer.headers["X-Etam-Exchange-Id"] = str(entry.exchange_id)
    return answer
