"""Password recovery codes for citizens (docs/adr/0131-citizen-password-recovery.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PasswordRecoveryCode(models.Model):
    """One code sent by email or SMS. Only a keyed hash of the code is kept; a code is
    spent by its first correct use, dies after ``expires_at`` or after a few wrong tries,
    and a new request replaces any code still open for the account."""

    class Channel(models.TextChoices):
        EMAIL = "email", "email"
        SMS = "sms", "SMS"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "etam_password_recovery_code"
        default_permissions = ()
        indexes = [models.Index(fields=["user", "used_at"], name="etam_recovery_open")]

    def __str__(self) -> str:
        return f"recovery code #{self.pk} ({self.channel})"
