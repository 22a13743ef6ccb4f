"""factory_boy factories shared by every module's tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from etam.core.models import Agency, Institution, OrgUnit, Role, RoleGrant, User


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("region_code",)

    region_code = "64"
    name = "Pemerintah Provinsi Kalimantan Timur"
    short_name = "Pemprov Kaltim"
    kind = Institution.Kind.PROVINCE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    institution = factory.SubFactory(InstitutionFactory)
    code = factory.Sequence(lambda n: f"OPD{n}")
    name = factory.LazyAttribute(lambda o: f"Dinas {o.code}")
    short_name = factory.LazyAttribute(lambda o: o.code)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.LazyAttribute(lambda o: f"Bidang {o.code}")


# Meets the staff password rule (12+ characters, letter case, digits, symbols; ADR 0077).
TEST_PASSWORD = "Kata-Sandi-Uji-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    full_name = factory.Sequence(lambda n: f"Pengguna {n}")
    kind = User.Kind.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_after_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    kind = User.Kind.STAFF


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(StaffFactory)
    role = Role.SERVICE_OFFICER
    agency = None
    institution = None
    granted_at = factory.LazyFunction(timezone.now)


def grant(user: User, role: str, scope: Institution | Agency | None = None) -> RoleGrant:
    """Give ``user`` a role over an OPD, an instansi, or (super admin) everything."""
    if isinstance(scope, Agency):
        return RoleGrant.objects.create(user=user, role=role, agency=scope, institution=scope.institution)
    return RoleGrant.objects.create(user=user, role=role, institution=scope)
