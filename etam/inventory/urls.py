from django.urls import path

from etam.inventory import views

app_name = "inventory"

urlpatterns = [
    path("konektivitas-desa/", views.public_connectivity, name="public_connectivity"),
    path("staf/inventaris/aplikasi/", views.application_list, name="application_list"),
    path("staf/inventaris/aplikasi/baru/", views.application_create, name="application_create"),
    path("staf/inventaris/aplikasi/impor/", views.application_import, name="application_import"),
    path("staf/inventaris/aplikasi/ekspor.<str:fmt>", views.application_export, name="application_export"),
    path("staf/inventaris/aplikasi/<int:pk>/", views.application_detail, name="application_detail"),
    path("staf/inventaris/aplikasi/<int:pk>/ubah/", views.application_edit, name="application_edit"),
    path("staf/inventaris/aplikasi/<int:pk>/hentikan/", views.application_retire, name="application_retire"),
    path("staf/inventaris/impor/<int:pk>/", views.import_batch, name="import_batch"),
    path("staf/inventaris/duplikat/", views.duplicate_list, name="duplicate_list"),
    path("staf/inventaris/duplikat/jalankan/", views.duplicate_run, name="duplicate_run"),
    path("staf/inventaris/duplikat/laporan/", views.rationalisation_report, name="rationalisation_report"),
    path("staf/inventaris/duplikat/<int:pk>/", views.duplicate_detail, name="duplicate_detail"),
    path("staf/inventaris/aplikasi-umum/", views.national_list, name="national_list"),
    path("staf/inventaris/aplikasi-umum/baru/", views.national_edit, name="national_create"),
    path("staf/inventaris/aplikasi-umum/<int:pk>/", views.national_edit, name="national_edit"),
    path("staf/inventaris/infrastruktur/", views.datacentre_list, name="datacentre_list"),
    path("staf/inventaris/pusat-data/baru/", views.datacentre_edit, name="datacentre_create"),
    path("staf/inventaris/pusat-data/<int:pk>/", views.datacentre_detail, name="datacentre_detail"),
    path("staf/inventaris/pusat-data/<int:pk>/ubah/", views.datacentre_edit, name="datacentre_edit"),
    path("staf/inventaris/jaringan/baru/", views.link_edit, name="link_create"),
    path("staf/inventaris/jaringan/<int:pk>/", views.link_detail, name="link_detail"),
    path("staf/inventaris/jaringan/<int:pk>/ubah/", views.link_edit, name="link_edit"),
    path("staf/inventaris/konektivitas/", views.village_list, name="village_list"),
    path("staf/inventaris/konektivitas/impor/", views.connectivity_import, name="connectivity_import"),
    path("staf/inventaris/konektivitas/<str:code>/", views.village_edit, name="village_edit"),
]
