from __future__ import annotations

import pytest

from etam.core.models import AuditEvent
from etam.evaluation import services
from etam.evaluation.models import Indicator

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def evaluation(province, framework):
    return services.evaluation_open(
        actor=province.coordinator_kaltim, institution=province.kaltim, framework=framework, period=2026
    )


@pytest.fixture
def ind(framework):
    def get(number: int) -> Indicator:
        return Indicator.objects.select_related("scale").get(framework=framework, number=number)

    return get


@pytest.fixture
def assigned(province, evaluation, ind):
    """Indicators 1–20 → Diskominfo, 45 → DPMPTSP."""
    owners = {ind(n).pk: province.diskominfo.pk for n in range(1, 21)}
    owners[ind(45).pk] = province.dpmptsp.pk
    services.assignment_set(actor=province.coordinator_kaltim, evaluation=evaluation, owners=owners)
    return evaluation


@pytest.fixture
def audit_count(db):
    return lambda: AuditEvent.objects.count()
