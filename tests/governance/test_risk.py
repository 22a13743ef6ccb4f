"""Risk register: the 25 cells of the PermenPANRB 5/2020 matrix as literals, bad input, treatment."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from etam.core.models import AuditEvent
from etam.governance import services
from etam.governance.models import Risk, RiskBand, RiskCell, RiskStatus, Treatment
from tests.governance.conftest import make_risk, risk_data

pytestmark = pytest.mark.django_db

# (likelihood, impact) → (magnitude, level): the regulation's table as shipped (docs/adr/0141).
CELLS = {
    (5, 1): (9, 2), (5, 2): (15, 3), (5, 3): (18, 4), (5, 4): (23, 5), (5, 5): (25, 5),
    (4, 1): (6, 2), (4, 2): (12, 3), (4, 3): (16, 4), (4, 4): (19, 4), (4, 5): (24, 5),
    (3, 1): (4, 1), (3, 2): (10, 2), (3, 3): (14, 3), (3, 4): (17, 4), (3, 5): (22, 5),
    (2, 1): (2, 1), (2, 2): (7, 2), (2, 3): (11, 3), (2, 4): (13, 3), (2, 5): (21, 5),
    (1, 1): (1, 1), (1, 2): (3, 1), (1, 3): (5, 1), (1, 4): (8, 2), (1, 5): (20, 4),
}  # fmt: skip


@pytest.mark.parametrize(("cell", "expected"), sorted(CELLS.items()))
def test_every_cell_of_the_matrix(cell, expected):
    scale = services.current_scale()
    assert services.assess(scale, *cell) == expected


def test_reference_data_is_versioned_and_complete():
    scale = services.current_scale()
    assert scale.version == 1 and scale.is_current
    assert RiskCell.objects.filter(scale=scale).count() == 25
    names = list(RiskBand.objects.filter(scale=scale).order_by("level").values_list("name", flat=True))
    assert names == ["Sangat Rendah", "Rendah", "Sedang", "Tinggi", "Sangat Tinggi"]


def test_risk_gets_its_level_and_is_treated_and_monitored(province, apps_kaltim):
    risk = make_risk(province, apps_kaltim)
    assert (risk.magnitude, risk.level) == (16, 4)
    services.treatment_add(
        actor=province.admin_dpmptsp,
        risk=risk,
        action="Server cadangan di PDN",
        owner=province.admin_dpmptsp,
        due_on=date(2027, 3, 31),
    )
    risk.refresh_from_db()
    assert risk.status == RiskStatus.TREATED
    services.monitoring_record(
        actor=province.admin_dpmptsp,
        risk=risk,
        data={"period": date(2027, 4, 1), "likelihood": "2", "impact": "3", "note": "Cadangan berjalan"},
    )
    risk.refresh_from_db()
    assert (risk.residual_magnitude, risk.residual_level) == (11, 3)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"owner": None}, "owner"),
        ({"likelihood": 0}, "likelihood"),
        ({"likelihood": 6}, "likelihood"),
        ({"impact": "7"}, "impact"),
        ({"impact": "2.5"}, "impact"),
        ({"impact": True}, "impact"),
        ({"category": "lain"}, "category"),
        ({"asset_kind": "dataset", "asset_reference": ""}, "asset_reference"),
    ],
)
def test_bad_risk_input_names_the_field_and_saves_nothing(province, apps_kaltim, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.risk_create(
            actor=province.admin_dpmptsp, agency=province.dpmptsp, data=risk_data(province, apps_kaltim, **overrides)
        )
    assert field in exc.value.message_dict
    assert Risk.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_a_risk_on_another_opds_application_is_refused(province, apps_kaltim):
    with pytest.raises(ValidationError) as exc:
        services.risk_create(
            actor=province.admin_dpmptsp,
            agency=province.dpmptsp,
            data=risk_data(province, apps_kaltim, application=apps_kaltim["sekolah"]),
        )
    assert "application" in exc.value.message_dict


def test_risk_permissions(province, apps_kaltim):
    risk = make_risk(province, apps_kaltim)
    events = AuditEvent.objects.count()
    for actor in (
        province.officer_dpmptsp,
        province.admin_diskominfo,
        province.admin_samarinda,
        province.assessor_kaltim,
    ):
        with pytest.raises(PermissionDenied):
            services.risk_create(actor=actor, agency=province.dpmptsp, data=risk_data(province, apps_kaltim))
        with pytest.raises(PermissionDenied):
            services.treatment_add(actor=actor, risk=risk, action="x", owner=actor, due_on=date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        services.risk_context_save(
            actor=province.admin_dpmptsp, institution=province.kaltim, year=2026, data={"appetite": 10}
        )
    assert AuditEvent.objects.count() == events
    assert Risk.objects.count() == 1 and Treatment.objects.count() == 0
    context = services.risk_context_save(
        actor=province.coordinator_kaltim,
        institution=province.kaltim,
        year=2026,
        data={"appetite": 10, "appetite_statement": "Risiko sampai Rendah diterima"},
    )
    assert context.appetite == 10
