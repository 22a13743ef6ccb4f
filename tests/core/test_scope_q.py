"""``scope_q`` for a super admin must stay "everything" when a selector ORs it with
another condition (issue 10: super admin got 404 on restricted datasets, because
``Q(access="public") | Q()`` is just ``Q(access="public")``)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from etam.core.models import Agency
from etam.core.permissions import scope_q

pytestmark = pytest.mark.django_db


def test_super_admin_scope_survives_an_or(province):
    everything = Agency.objects.count()
    assert everything >= 4
    q = scope_q(province.superadmin, "core.view_organisation", institution_field="institution_id", agency_field="id")
    assert Agency.objects.filter(q).count() == everything
    assert Agency.objects.filter(Q(code="TIDAK-ADA") | q).count() == everything
    assert Agency.objects.filter(q | Q(code="TIDAK-ADA")).count() == everything


def test_nobody_and_scoped_grants_are_unchanged(province):
    nothing = scope_q(province.citizen, "core.view_organisation", institution_field="institution_id", agency_field="id")
    assert Agency.objects.filter(nothing).count() == 0
    assert Agency.objects.filter(Q(code="DPMPTSP") | nothing).count() == 2
    own = scope_q(
        province.producer_diskominfo, "core.view_organisation", institution_field="institution_id", agency_field="id"
    )
    assert list(Agency.objects.filter(own)) == [province.diskominfo]
