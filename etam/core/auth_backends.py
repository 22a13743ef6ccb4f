from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from etam.core.models import User
from etam.core.validators import normalise_phone


class EmailOrPhoneBackend(ModelBackend):
    """Signs a person in with an email address or an Indonesian phone number."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        identifier = username.strip()
        user: User | None
        if "@" in identifier:
            user = User.objects.filter(email__iexact=identifier).first()
        else:
            phone = normalise_phone(identifier, strict=False)
            user = User.objects.filter(phone=phone).first() if phone else None
        if user is None:
            User().set_password(password)  # same work either way: no timing oracle for unknown accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
