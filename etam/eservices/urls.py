from django.urls import path

from etam.eservices import views, views_builder, views_staff

app_name = "eservices"

urlpatterns = [
    # Public catalogue and the citizen's journey
    path("layanan/", views.catalogue, name="catalogue"),
    path("layanan/skema/<slug:name>.json", views.schema, name="schema"),
    path("layanan/wilayah/<str:code>/", views.region_children, name="region_children"),
    path("layanan/<slug:slug>/", views.service_detail, name="service_detail"),
    path("layanan/<slug:slug>/ajukan/", views.fill_start, name="fill_start"),
    path("layanan/<slug:slug>/ajukan/<int:page>/", views.fill, name="fill"),
    path("layanan/<slug:slug>/ajukan/periksa/", views.review, name="review"),
    path("layanan/<slug:slug>/ajukan/batal/", views.discard, name="discard"),
    path("permohonan/", views.my_applications, name="my_applications"),
    path("permohonan/<str:tracking_number>/", views.case_detail, name="case"),
    path("permohonan/<str:tracking_number>/tanda-terima/", views.receipt, name="receipt"),
    path("permohonan/<str:tracking_number>/perbaikan/", views.revision, name="revision"),
    path("permohonan/<str:tracking_number>/berkas/<int:file_id>/", views.file_download, name="file"),
    path("permohonan/<str:tracking_number>/dokumen.pdf", views.document_download, name="document"),
    path("lacak/", views.status_lookup, name="status_lookup"),
    # Verification
    path("v/kunci.json", views.public_keys, name="public_keys"),
    path("v/periksa/", views.verify_check, name="verify_check"),
    path("v/pki/<str:name>.crl", views.demo_crl, name="demo_crl"),
    path("v/<str:code>", views.verify_document, name="verify"),
    # Staff
    path("staf/layanan/kotak-masuk/", views_staff.inbox, name="inbox"),
    path("staf/layanan/permohonan/<str:tracking_number>/", views_staff.staff_case, name="staff_case"),
    path(
        "staf/layanan/permohonan/<str:tracking_number>/pratinjau.pdf",
        views_staff.document_preview,
        name="document_preview",
    ),
    path("staf/layanan/tanda-tangan/", views_staff.to_sign, name="to_sign"),
    path("staf/layanan/kelola/", views_staff.staff_services, name="staff_services"),
    path("staf/layanan/kelola/baru/", views_staff.service_edit, name="service_new"),
    path("staf/layanan/kelola/impor/", views_staff.service_import, name="service_import"),
    path("staf/layanan/kelola/<int:pk>/", views_staff.service_edit, name="service_edit"),
    path("staf/layanan/kelola/<int:pk>/status/", views_staff.service_status, name="service_status"),
    path("staf/layanan/kelola/<int:pk>/ekspor.json", views_staff.service_export, name="service_export"),
    path("staf/layanan/kelola/<int:pk>/versi/baru/", views_staff.version_edit, name="version_new"),
    path("staf/layanan/kelola/<int:pk>/versi/<int:number>/", views_staff.version_edit, name="version_edit"),
    # Composer (form builder) on the draft version
    path("staf/layanan/kelola/<int:pk>/susun/", views_builder.compose, name="compose"),
    path("staf/layanan/kelola/<int:pk>/susun/halaman/<int:page>/", views_builder.compose_page, name="compose_page"),
    path("staf/layanan/kelola/<int:pk>/susun/isian/<str:ref>/", views_builder.compose_field, name="compose_field"),
    path("staf/layanan/kelola/<int:pk>/susun/alur/", views_builder.compose_workflow, name="compose_workflow"),
    path("staf/layanan/kelola/<int:pk>/susun/dokumen/", views_builder.compose_document, name="compose_document"),
    path(
        "staf/layanan/kelola/<int:pk>/susun/pratinjau/<int:page>/",
        views_builder.compose_preview,
        name="compose_preview",
    ),
    path("staf/layanan/statistik/", views_staff.statistics, name="statistics"),
]
