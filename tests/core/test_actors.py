"""``core.actors.stored_person``: the actor a row stores as its ``created_by`` / ``reviewed_by``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from etam.core.actors import stored_person
from etam.core.models import User

pytestmark = pytest.mark.django_db


def test_a_saved_user_is_stored_and_the_system_or_a_visitor_is_not(province):
    assert stored_person(province.admin_dpmptsp) == province.admin_dpmptsp
    assert stored_person(None) is None
    assert stored_person("sistem") is None
    assert stored_person(AnonymousUser()) is None
    assert stored_person(User(full_name="Belum disimpan")) is None
