"""Issue 10, finding 8: the client's X-Request-ID was stored in the sealed audit trail as if it were ours."""

from __future__ import annotations

import uuid

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from etam.core import audit
from etam.core.middleware import RequestContextMiddleware
from etam.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _request_writing_an_event(province, **headers):
    def view(request):
        audit.record(actor=province.admin_kaltim, action="core.test", target=province.dpmptsp, after={"x": 1})
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers=headers)
    return RequestContextMiddleware(view)(request)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("forged-0000-0000-0000-000000000000", "forged-0000-0000-0000-000000000000"),
        ("abc\u202edef<script>" + "x" * 200, "abcdefscript" + "x" * 52),
        ("", ""),
    ],
)
def test_request_id_is_ours_and_the_clients_is_kept_apart(province, sent, kept):
    headers = {"X-Request-ID": sent} if sent else {}
    response = _request_writing_an_event(province, **headers)
    event = AuditEvent.objects.get(action="core.test")
    ours = response["X-Request-ID"]
    assert str(uuid.UUID(ours)) == ours  # a server-made UUID, whatever the client sent
    assert event.request_id == ours and ours != sent
    assert event.client_request_id == kept
    assert audit.hash_matches(event)
    # the client's value is part of the sealed content: changing it is detected
    audit.seal_pending()
    AuditEvent.objects.filter(pk=event.pk).update(client_request_id="other")
    assert not audit.verify().ok


def test_events_without_a_client_id_hash_as_before(province):
    """Events written before the field existed (all empty) still verify: the empty value is not hashed."""
    _request_writing_an_event(province)
    event = AuditEvent.objects.get(action="core.test")
    assert event.client_request_id == ""
    audit.seal_pending()
    assert audit.verify().ok
