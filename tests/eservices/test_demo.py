import pytest

from etam.eservices import demo
from etam.eservices.models import Application, IssuedDocument, Service

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent_and_covers_states():
    from etam.core import demo as core_demo

    lines = []
    core_demo.load(lines.append)
    demo.load(lines.append)
    assert Service.objects.count() == 5
    states = set(Application.objects.values_list("state", flat=True))
    assert {"diajukan", "verifikasi", "perlu_perbaikan", "persetujuan", "selesai", "ditolak"} <= states
    assert IssuedDocument.objects.filter(status="terbit").count() == 5
    count = Application.objects.count()
    demo.load(lines.append)
    assert Application.objects.count() == count and Service.objects.count() == 5


def test_public_sample_pages_exist(client, province):
    for path in demo.public_sample_pages():
        assert client.get(path).status_code == 200
