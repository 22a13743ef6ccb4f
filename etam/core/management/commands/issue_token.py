"""Issue an API token for a person's system without a browser (e.g. an OPD system publishing to Satu Data).

    manage.py issue_token produsen@diskominfo.kaltimprov.go.id --name "Sinkronisasi SIMDA" \\
        --grant 12 --expires 2027-06-30

Goes through ``etam.core.tokens.api_token_create`` like the account page: the token carries
only role grants the person holds now (all of them unless ``--grant`` names some), the
issue is audited, and the raw key is printed once (only its hash is stored).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from etam.core import tokens
from etam.core.models import RoleGrant, User


class Command(BaseCommand):
    help = "Issue an API token for the person with this email (printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The token owner's email address")
        parser.add_argument("--name", default="", help="What the token is for (default: 'Token <date>')")
        parser.add_argument(
            "--grant",
            action="append",
            default=[],
            help="Id of a role grant the token carries (repeat; default: every active grant of the person)",
        )
        parser.add_argument("--expires", default="", help="Expiry: a date (end of that day, WITA) or ISO date-time")
        parser.add_argument("--list-grants", action="store_true", help="Only list the person's active grants")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"email: no account with the address {options['email']}.")
        if not user.is_active:
            raise CommandError(f"email: the account {user.email} is not active.")
        held = list(RoleGrant.objects.active().filter(user=user).select_related("institution", "agency"))
        if options["list_grants"]:
            for grant in held:
                scope = grant.agency or grant.institution or "semua"
                self.stdout.write(f"{grant.pk}\t{grant.role}\t{scope}")
            return
        grants = options["grant"] or [g.pk for g in held]
        name = options["name"] or f"Token {timezone.localdate():%Y-%m-%d}"
        try:
            issued = tokens.api_token_create(
                actor=user, name=name, grants=grants, expires_at=self._expiry(options["expires"])
            )
        except ValidationError as exc:
            raise CommandError(" ".join(str(m) for m in exc.messages)) from exc
        token = issued.token
        self.stdout.write(f"token: {issued.key}")
        self.stdout.write(f"prefix: {token.prefix}  owner: {user.email}  grants: {sorted(int(g) for g in grants)}")
        self.stdout.write(f"expires: {token.expires_at.isoformat() if token.expires_at else 'never'}")
        self.stderr.write("The key is shown only now; give it to the system's operator over a safe channel.")

    @staticmethod
    def _expiry(value: str) -> datetime.datetime | None:
        value = (value or "").strip()
        if not value:
            return None
        try:
            if len(value) == 10:
                day = datetime.date.fromisoformat(value)
                moment = datetime.datetime.combine(day, datetime.time(23, 59, 59))
                return timezone.make_aware(moment)
            moment = datetime.datetime.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"--expires: {value} is not a date (2027-06-30) or ISO date-time.") from exc
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
