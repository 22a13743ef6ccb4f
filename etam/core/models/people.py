"""People: citizens (warga) and staff, role grants scoped to an instansi or an OPD, API tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etam.core.crypto import EncryptedJSONField
from etam.core.models.organisations import Agency, Institution


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str | None, password: str | None = None, **extra: Any) -> User:
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("kind", User.Kind.STAFF)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Citizens sign in by email or phone; staff get role grants."""

    class Kind(models.TextChoices):
        CITIZEN = "warga", _("Citizen")
        STAFF = "pegawai", _("Staff")

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("phone number"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stored in E.164 form, e.g. +6281234567890"),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("user")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False), name="user_has_email_or_phone"
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN


class Role(models.TextChoices):
    SERVICE_OFFICER = "petugas_layanan", _("Service officer (petugas layanan)")
    AGENCY_ADMIN = "admin_opd", _("Agency administrator (admin OPD)")
    DATA_PRODUCER = "produsen_data", _("Data producer (produsen data)")
    DATA_STEWARD = "walidata", _("Data steward (walidata)")
    SPBE_COORDINATOR = "koordinator_spbe", _("SPBE coordinator (koordinator SPBE)")
    ASSESSOR = "asesor", _("Assessor (asesor)")
    INSTITUTION_ADMIN = "admin_instansi", _("Institution administrator (admin instansi)")
    SIGNATORY = "penandatangan", _("Signing official (penandatangan)")
    SUPER_ADMIN = "super_admin", _("Super administrator")


AGENCY_SCOPED_ROLES = frozenset({Role.SERVICE_OFFICER, Role.AGENCY_ADMIN, Role.DATA_PRODUCER, Role.SIGNATORY})
INSTITUTION_SCOPED_ROLES = frozenset({Role.DATA_STEWARD, Role.SPBE_COORDINATOR, Role.ASSESSOR, Role.INSTITUTION_ADMIN})


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self) -> RoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleGrant(models.Model):
    """A role held by a user within a scope: an OPD, a whole instansi, or (super admin) everything.

    ``institution`` is always filled for scoped roles (for an OPD grant it is the OPD's
    instansi) so that scoping queries never need a join.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="role_grants"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="role_grants")
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role grant")
        constraints = [
            models.CheckConstraint(
                name="rolegrant_scope_matches_role",
                condition=(
                    Q(
                        role__in=sorted(r.value for r in AGENCY_SCOPED_ROLES),
                        agency__isnull=False,
                        institution__isnull=False,
                    )
                    | Q(
                        role__in=sorted(r.value for r in INSTITUTION_SCOPED_ROLES),
                        agency__isnull=True,
                        institution__isnull=False,
                    )
                    | Q(role=Role.SUPER_ADMIN.value, agency__isnull=True, institution__isnull=True)
                ),
            ),
            # Coalesce: NULL scopes (super admin) must collide too, on SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                F("user"),
                F("role"),
                Coalesce("institution", Value(0)),
                Coalesce("agency", Value(0)),
                condition=Q(revoked_at__isnull=True),
                name="rolegrant_active_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.agency or self.institution or _("all")
        return f"{self.get_role_display()} — {scope}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SigningIdentity(models.Model):
    """A staff member's identity at the electronic-signature service (BSrE): NIK (encrypted
    at rest like citizens' NIK, docs/adr/0052), NIP and jabatan as printed in the signature
    block. Filled by hand today; the employee-directory sync fills it later."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="signing_identity")
    nik = EncryptedJSONField(_("NIK"), context="signing-identity-nik")
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    position = models.CharField(_("position (jabatan)"), max_length=200)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signing identity")

    def __str__(self) -> str:
        return f"{self.user} ({self.position})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for machine clients. It acts with a subset of its owner's role grants
    and stops working as soon as it is revoked, expires, or the grants behind it are revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True, help_text=_("First characters, shown to identify the token"))
    key_hash = models.CharField(max_length=64, unique=True)
    grants = models.ManyToManyField(RoleGrant, related_name="api_tokens", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
