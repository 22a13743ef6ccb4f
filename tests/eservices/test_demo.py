import pytest

from etam.eservices import demo
from etam.eservices.models import Application, IssuedDocument, Service

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent_and_covers_states(settings):
    from etam.core import demo as core_demo

    settings.DEMO_MODE = True  # the demo officials get a passphrase at the in-process signing service

    lines = []
    core_demo.load(lines.append)
    demo.load(lines.append)
    assert Service.objects.count() == 5
    states = set(Application.objects.values_list("state", flat=True))
    assert {"diajukan", "verifikasi", "perlu_perbaikan", "persetujuan", "selesai", "ditolak"} <= states
    issued = IssuedDocument.objects.filter(status="terbit")
    assert issued.count() == 5
    from etam.eservices import documents
    from etam.eservices.signing import ltv

    for document in issued:  # signed by the approving official, B-LT with the in-process TSA
        result = ltv.validate(document.file.read(), documents.trust_roots())
        assert result.ok and result.has_dss and result.has_timestamp, document.number
        assert document.signer_name and document.signer_position
    count = Application.objects.count()
    demo.load(lines.append)
    assert Application.objects.count() == count and Service.objects.count() == 5


def test_public_sample_pages_exist(client, province):
    for path in demo.public_sample_pages():
        assert client.get(path).status_code == 200
