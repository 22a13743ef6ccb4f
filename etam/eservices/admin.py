"""Django admin for the editable reference data of the module (holidays)."""

from __future__ import annotations

from django.contrib import admin

from etam.eservices.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "kind", "verified", "source")
    list_filter = ("kind", "verified")
    search_fields = ("name",)
    date_hierarchy = "date"
    list_editable = ("verified",)
