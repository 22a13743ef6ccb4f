"""The standar pelayanan in the service composer: versioned with the draft, carried over to a new
version, through the eservices composer-section hook (eservices imports nothing of quality; ADR 0163)."""

from __future__ import annotations

import pytest

from etam.core.models import AuditEvent
from etam.quality import selectors, services
from etam.quality.models import ServiceStandard
from tests.eservices.conftest import new_version
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_composer_links_to_the_drafts_standard_and_publishing_makes_it_public(client, province, info_service):
    admin = client_for(province.admin_dpmptsp)
    services.standard_save(actor=province.admin_dpmptsp, service=info_service, data={"competence": "Lama"})
    _old, draft = new_version(province, info_service, publish=False)

    compose = admin.get(f"/staf/layanan/kelola/{info_service.pk}/susun/").content.decode()
    editor = f"/staf/kualitas/standar/{info_service.pk}/versi/{draft.number}/"
    assert editor in compose and "versi 1" in compose.lower()  # carried over from version 1

    page = admin.get(editor).content.decode()
    assert "Lama" in page  # the draft starts from the published version's texts
    saved = admin.post(editor, {"form": "standar", "competence": "Baru untuk versi 2", "staff_count": "6"})
    assert saved.status_code == 302
    row = ServiceStandard.objects.get(version=draft)
    assert (row.competence, row.staff_count) == ("Baru untuk versi 2", 6)
    # the published version keeps its own standard until the draft is published
    assert "Lama" in client.get(f"/standar-pelayanan/{info_service.slug}/").content.decode()
    from etam.eservices import services as eservices

    eservices.version_publish(actor=province.admin_dpmptsp, version=draft)
    public = client.get(f"/standar-pelayanan/{info_service.slug}/").content.decode()
    assert "Baru untuk versi 2" in public and "Lama" not in public


def test_a_new_version_published_without_editing_carries_the_standard(client, province, info_service):
    services.standard_save(actor=province.admin_dpmptsp, service=info_service, data={"facilities": "Loket difabel"})
    new_version(province, info_service, publish=True)
    info_service.refresh_from_db()
    carried = selectors.standard_for(info_service)
    assert carried.facilities == "Loket difabel" and carried.version.number == 1
    assert "Loket difabel" in client.get(f"/standar-pelayanan/{info_service.slug}/").content.decode()


def test_draft_standard_bad_input_names_the_field(province, info_service):
    _old, draft = new_version(province, info_service, publish=False)
    response = client_for(province.admin_dpmptsp).post(
        f"/staf/kualitas/standar/{info_service.pk}/versi/{draft.number}/", {"form": "standar", "staff_count": "-3"}
    )
    assert response.status_code == 422 and "Jumlah pelaksana" in response.content.decode()
    assert not ServiceStandard.objects.exists()


def test_superseded_version_is_not_editable(province, info_service):
    new_version(province, info_service, publish=True)
    admin = client_for(province.admin_dpmptsp)
    assert admin.get(f"/staf/kualitas/standar/{info_service.pk}/versi/1/").status_code == 404
    assert admin.post(f"/staf/kualitas/standar/{info_service.pk}/versi/1/", {"competence": "x"}).status_code == 404
    assert not ServiceStandard.objects.exists()


@pytest.mark.parametrize("who", ["officer_dpmptsp", "admin_diskominfo", "admin_kaltim", "citizen"])
def test_drafts_standard_refused_to_the_wrong_user(province, info_service, who):
    _old, draft = new_version(province, info_service, publish=False)
    actor = getattr(province, who)
    before = AuditEvent.objects.count()
    other = client_for(actor)
    url = f"/staf/kualitas/standar/{info_service.pk}/versi/{draft.number}/"
    assert other.get(url).status_code in (403, 404)
    assert other.post(url, {"form": "standar", "competence": "x"}).status_code in (403, 404)
    assert not ServiceStandard.objects.exists()
    assert AuditEvent.objects.count() == before


def test_composer_section_only_for_those_who_may_write_the_standard(province, info_service):
    from etam.eservices.hooks import composer_sections

    _old, draft = new_version(province, info_service, publish=False)
    assert len(composer_sections(province.admin_dpmptsp, info_service, draft)) == 1
    for who in ("officer_dpmptsp", "admin_diskominfo", "citizen"):
        assert composer_sections(getattr(province, who), info_service, draft) == []
