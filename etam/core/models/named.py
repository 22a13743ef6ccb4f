"""A row that reads as its name: ``str()`` of it (select options, audit targets, admin,
log lines) is its ``name`` field, which each model declares with its own length.

An abstract model with no fields (no migration). Put it where ``models.Model`` stood,
after plain mixins such as ``AgencyOwned`` (whose ``save`` must come before the model's).
"""

from __future__ import annotations

from django.db import models


class Named(models.Model):
    name: str

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name
