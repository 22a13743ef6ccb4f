"""When each periodic job was last enqueued (see ``etam.core.scheduling``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from etam.core.models.named import Named


class PeriodicTaskState(Named):
    """One row per registered periodic job. Schedulers claim a due run with a conditional
    UPDATE on ``next_run_at``, so several schedulers never enqueue the same run twice."""

    name = models.CharField(_("job"), max_length=200, unique=True)
    every_seconds = models.PositiveIntegerField(_("interval (seconds)"))
    next_run_at = models.DateTimeField(_("next run"))
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
