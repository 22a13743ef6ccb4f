"""The service composer: pages, fields, workflow and document template edited with plain
forms on the draft version, validated against the schemas, audited, admin OPD only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from etam.core.models import AuditEvent
from etam.eservices import builder, definitions, services
from etam.eservices.models import Application, ServiceVersion
from tests.eservices.conftest import info_answers

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def draft(province, info_service):
    published = info_service.published_version
    return services.version_create(
        actor=province.admin_dpmptsp,
        service=info_service,
        form=published.form,
        workflow=published.workflow,
        document_template=published.document_template,
    )


def url(name, service, *args):
    return reverse(f"eservices:{name}", args=[service.pk, *args])


def field_post(**overrides):
    data = {
        "type": "text",
        "name": "nomor_kk",
        "label": "Nomor Kartu Keluarga",
        "label_en": "Family card number",
        "help": "16 digit",
        "required": "on",
        "visible_field": "",
        "visible_values": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def updates(version):
    return list(AuditEvent.objects.filter(action="eservices.version_update", object_id=str(version.pk)).order_by("id"))


def test_start_draft_copies_the_published_version(client, province, info_service):
    login(client, province.admin_dpmptsp)
    page = client.get(url("compose", info_service))
    assert page.status_code == 200 and b'value="start"' in page.content
    response = client.post(url("compose", info_service), {"op": "start"})
    assert response.status_code == 302
    draft = info_service.versions.get(status=ServiceVersion.Status.DRAFT)
    assert draft.form == info_service.published_version.form and draft.number == 2
    assert AuditEvent.objects.filter(action="eservices.version_create", object_id=str(draft.pk)).exists()
    overview = client.get(url("compose", info_service)).content.decode()
    assert "nama" in overview and reverse("eservices:compose_field", args=[info_service.pk, "0-0"]) in overview


def test_add_edit_reorder_remove_field_each_audited(client, province, info_service, draft):
    login(client, province.admin_dpmptsp)
    pages = len(draft.form["pages"][0]["fields"])
    response = client.post(url("compose_field", info_service, "0-new"), field_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    added = draft.form["pages"][0]["fields"][-1]
    assert added == {
        "name": "nomor_kk",
        "type": "text",
        "label": {"id": "Nomor Kartu Keluarga", "en": "Family card number"},
        "help": "16 digit",
        "required": True,
    }
    ref = f"0-{pages}"
    # Edit: a choice with choices, optional, conditional on an earlier field.
    response = client.post(
        url("compose_field", info_service, ref),
        field_post(
            type="choice",
            label="Status hubungan",
            label_en="",
            required=None,
            choices="kepala = Kepala keluarga\nAnggota keluarga",
            visible_field="nama",
            visible_values="Siti",
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    edited = draft.form["pages"][0]["fields"][-1]
    assert edited["choices"] == [
        {"value": "kepala", "label": "Kepala keluarga"},
        {"value": "anggota_keluarga", "label": "Anggota keluarga"},
    ]
    assert edited["required"] is False and edited["visible_if"] == {"field": "nama", "equals": "Siti"}
    assert edited["label"] == "Status hubungan"
    # Move up, then remove.
    client.post(url("compose", info_service), {"op": "field_up", "ref": ref})
    draft.refresh_from_db()
    assert draft.form["pages"][0]["fields"][-2]["name"] == "nomor_kk"
    client.post(url("compose", info_service), {"op": "field_remove", "ref": f"0-{pages - 1}"})
    draft.refresh_from_db()
    assert "nomor_kk" not in [f["name"] for f in draft.form["pages"][0]["fields"]]
    changes = [e.changes["after"].get("change", "") for e in updates(draft)]
    assert [c.split()[0] for c in changes] == ["field_add", "field_update", "field_move", "field_remove"]
    assert all(e.actor_id == province.admin_dpmptsp.pk for e in updates(draft))


def test_invalid_field_keeps_what_was_typed_with_indonesian_messages(client, province, info_service, draft):
    login(client, province.admin_dpmptsp)
    before = draft.form
    response = client.post(
        url("compose_field", info_service, "0-new"),
        field_post(name="Nomor KK", label="Nomor Kartu Keluarga Saya", type="choice", choices=""),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Nomor KK"' in body and 'value="Nomor Kartu Keluarga Saya"' in body
    assert "huruf kecil" in body  # the name rule, in Indonesian, naming the field
    assert "Nama (kunci jawaban)" in body
    draft.refresh_from_db()
    assert draft.form == before and updates(draft) == []
    # Valid form, but the schema refuses it (a choice without choices): the message sits on the
    # Choices field, in Indonesian, and nothing is saved.
    response = client.post(
        url("compose_field", info_service, "0-new"), field_post(type="choice", choices="", name="pilihan_x")
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Pilihan: perlu paling sedikit 1 butir" in body
    assert 'value="pilihan_x"' in body
    draft.refresh_from_db()
    assert draft.form == before and updates(draft) == []


def test_duplicate_name_and_removing_a_referenced_field_are_refused(client, province, info_service, draft):
    login(client, province.admin_dpmptsp)
    response = client.post(url("compose_field", info_service, "0-new"), field_post(name="nama"))
    assert response.status_code == 200 and "nama" in response.content.decode()
    client.post(url("compose_field", info_service, "0-new"), field_post(visible_field="nama", visible_values="x"))
    draft.refresh_from_db()
    before = draft.form
    response = client.post(url("compose", info_service), {"op": "field_remove", "ref": "0-0"})  # "nama"
    assert response.status_code == 200 and "nama" in response.content.decode()
    draft.refresh_from_db()
    assert draft.form == before


def test_repeating_group_with_children(client, province, info_service, draft):
    login(client, province.admin_dpmptsp)
    count = len(draft.form["pages"][0]["fields"])
    client.post(
        url("compose_field", info_service, "0-new"),
        field_post(type="group", name="anggota", label="Anggota keluarga", min_items="1", max_items="5"),
    )
    group_ref = f"0-{count}"
    response = client.post(
        url("compose_field", info_service, f"{group_ref}-new"),
        field_post(type="nik", name="nik_anggota", label="NIK anggota"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    group = draft.form["pages"][0]["fields"][-1]
    assert group["type"] == "group" and (group["min_items"], group["max_items"]) == (1, 5)
    assert [c["name"] for c in group["fields"]] == ["keterangan", "nik_anggota"]
    # A group inside a group is not offered.
    page = client.get(url("compose_field", info_service, f"{group_ref}-new")).content.decode()
    assert 'value="group"' not in page
    preview = client.get(url("compose_preview", info_service, 1)).content.decode()
    assert "NIK anggota" in preview and "Anggota keluarga" in preview


def test_pages_add_edit_reorder(client, province, info_service, draft):
    login(client, province.admin_dpmptsp)
    n = len(draft.form["pages"])
    client.post(url("compose", info_service), {"op": "page_add", "title": "Lampiran tambahan"})
    draft.refresh_from_db()
    assert len(draft.form["pages"]) == n + 1 and draft.form["pages"][-1]["title"] == "Lampiran tambahan"
    response = client.post(
        url("compose_page", info_service, n),
        {"title": "Lampiran", "title_en": "Attachments", "intro": "", "intro_en": "", "visible_field": "",
         "visible_values": ""},
    )  # fmt: skip
    assert response.status_code == 302
    client.post(url("compose", info_service), {"op": "page_up", "page": str(n)})
    draft.refresh_from_db()
    assert draft.form["pages"][n - 1]["title"] == {"id": "Lampiran", "en": "Attachments"}


def test_workflow_table_edits_states_and_actions(client, province, info_service, draft):
    login(client, province.admin_dpmptsp)
    page = client.get(url("compose_workflow", info_service))
    assert page.status_code == 200
    head, states, actions = builder.workflow_initial(draft.workflow)

    def post_data(states, actions, initial):
        data = {
            "initial_state": initial,
            "state-TOTAL_FORMS": str(len(states)),
            "state-INITIAL_FORMS": str(len(states)),
            "action-TOTAL_FORMS": str(len(actions)),
            "action-INITIAL_FORMS": str(len(actions)),
        }
        for i, s in enumerate(states):
            for k, v in s.items():
                if isinstance(v, bool):
                    if v:
                        data[f"state-{i}-{k}"] = "on"
                elif v is not None:
                    data[f"state-{i}-{k}"] = str(v)
        for i, a in enumerate(actions):
            for k, v in a.items():
                if k == "roles":
                    data[f"action-{i}-roles"] = v
                elif isinstance(v, bool):
                    if v:
                        data[f"action-{i}-{k}"] = "on"
                else:
                    data[f"action-{i}-{k}"] = str(v)
        return data

    states[1]["sla_days"] = 4
    response = client.post(url("compose_workflow", info_service), post_data(states, actions, head["initial_state"]))
    assert response.status_code == 302, response.content.decode()[-3000:]
    draft.refresh_from_db()
    assert draft.workflow["states"][states[1]["code"]]["sla_days"] == 4
    before = draft.workflow
    # An action to a state that does not exist: the error is on that row, nothing saved.
    actions[0]["to_state"] = "tidak_ada"
    response = client.post(url("compose_workflow", info_service), post_data(states, actions, head["initial_state"]))
    assert response.status_code == 200
    assert 'value="tidak_ada"' in response.content.decode() and "tidak_ada" in response.content.decode()
    draft.refresh_from_db()
    assert draft.workflow == before


def test_document_template_form(client, province, info_service, draft):
    login(client, province.admin_dpmptsp)
    response = client.post(
        url("compose_document", info_service),
        {
            "title": "SURAT KETERANGAN",
            "number_prefix": "503/PIP",
            "body": "Diberikan kepada {holder}.\n\nUntuk {service}.",
            "lines": "Rincian = {answer.rincian}",
            "valid_days": "30",
            "signatory_title": "Kepala Dinas",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.document_template == {
        "title": "SURAT KETERANGAN",
        "number_prefix": "503/PIP",
        "body": ["Diberikan kepada {holder}.", "Untuk {service}."],
        "fields": [{"label": "Rincian", "value": "{answer.rincian}"}],
        "valid_days": 30,
        "signatory_title": "Kepala Dinas",
    }
    response = client.post(
        url("compose_document", info_service),
        {"title": "X", "number_prefix": "abc", "body": "", "lines": "tanpa sama dengan"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Awalan nomor" in body and "Isi" in body and 'value="abc"' in body


def test_publish_creates_the_new_version_and_cases_stay_on_theirs(client, province, info_service, draft):
    old = info_service.published_version
    case = services.application_submit(actor=province.citizen, service=info_service, answers=info_answers())
    login(client, province.admin_dpmptsp)
    client.post(url("compose_field", info_service, "0-new"), field_post())
    response = client.post(url("compose", info_service), {"op": "publish"})
    assert response.status_code == 302
    info_service.refresh_from_db()
    assert info_service.published_version_id == draft.pk
    old.refresh_from_db()
    assert old.status == ServiceVersion.Status.SUPERSEDED
    assert Application.objects.get(pk=case.application.pk).version_id == old.pk
    assert AuditEvent.objects.filter(action="eservices.version_publish", object_id=str(info_service.pk)).exists()
    # No draft left: the composer offers to start one; edit pages are gone.
    assert client.get(url("compose_field", info_service, "0-0")).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("admin_diskominfo", 404), ("officer_dpmptsp", 403), ("citizen", 403), ("admin_kaltim", 403)]
)
def test_only_the_services_opd_admin_may_compose(client, province, info_service, draft, who, status):
    login(client, getattr(province, who))
    before_form, before_count, events = draft.form, ServiceVersion.objects.count(), AuditEvent.objects.count()
    attempts = [
        ("get", url("compose", info_service), None),
        ("post", url("compose", info_service), {"op": "field_remove", "ref": "0-0"}),
        ("post", url("compose", info_service), {"op": "publish"}),
        ("post", url("compose_field", info_service, "0-new"), field_post()),
        ("post", url("compose_field", info_service, "0-0"), field_post(name="nama")),
        ("post", url("compose_page", info_service, 0), {"title": "X"}),
        ("post", url("compose_document", info_service), {"title": "X", "body": "Y"}),
        ("post", url("compose_workflow", info_service), {"initial_state": "x"}),
        ("get", url("compose_preview", info_service, 1), None),
    ]
    for method, target, data in attempts:
        response = getattr(client, method)(target, data or {})
        assert response.status_code == status, (target, response.status_code)
    draft.refresh_from_db()
    info_service.refresh_from_db()
    assert draft.form == before_form and draft.status == ServiceVersion.Status.DRAFT
    assert ServiceVersion.objects.count() == before_count and AuditEvent.objects.count() == events


def test_schema_errors_are_in_indonesian():
    from django.utils import translation

    with translation.override("id"):
        errors = definitions.validate_form({"pages": [{"id": "A", "title": "", "fields": []}]})
    text = " ".join(str(e) for e in errors)
    assert "bukan nama yang sah" in text and "tidak boleh kosong" in text and "paling sedikit 1" in text
