"""Counters of the rate limits on the embedded default (see ``etam.core.ratelimit``)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """One row per (limit, caller, window). Incremented with one atomic
    ``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count``, so two
    processes can never both read the same count (Django's database cache ``incr`` is a
    read followed by a write and is not atomic)."""

    key = models.CharField(max_length=250, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField(db_index=True)  # unix time: the row is stale after it

    class Meta:
        db_table = "etam_rate_counter"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
