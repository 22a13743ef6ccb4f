"""Creation and last-change timestamps, declared once for the models that keep both.

An abstract model: its two fields are copied into each model that inherits it with the
same definition they had when each model wrote them out, so inheriting it needs no
migration (Django lists inherited fields first in ``_meta.fields``; the autodetector does
not migrate field order). A model that keeps only one of the two, or stamps with another
default, writes its own field instead.
"""

from __future__ import annotations

from django.db import models


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
