from django.urls import path

from etam.offline import views

app_name = "offline"

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("kotak-keluar/", views.outbox, name="outbox"),
    path("luring/wilayah.json", views.regions, name="regions"),
    path("luring/layanan/<slug:slug>/", views.offline_form, name="form"),
    path("staf/petugas/", views.assisted, name="assisted"),
    path("staf/petugas/luring/", views.device, name="device"),
    path("staf/petugas/layanan/<slug:slug>/", views.assisted_form, name="assisted_form"),
    path("staf/petugas/perangkat/<str:key_id>/cabut/", views.device_key_revoke, name="device_key_revoke"),
    path("staf/bundel/", views.bundle_import, name="bundle_import"),
]
