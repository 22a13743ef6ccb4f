from django.urls import path, re_path

from etam.opendata import ckan, dcat, views, views_staff

app_name = "opendata"

urlpatterns = [
    # CKAN action API
    path("api/3/action/<str:name>", ckan.action, name="ckan_action"),
    path("api/3/action/<str:name>/help", ckan.action_help, name="ckan_help"),
    path("api/action/<str:name>", ckan.action, name="ckan_action_unversioned"),  # what ckanapi calls
    path("api/3", views.ckan_root, name="ckan_root"),
    # Standards out
    re_path(r"^catalog\.(?P<fmt>jsonld|ttl)$", dcat.catalog_view, name="catalog"),
    re_path(r"^data/(?P<slug>[-\w]+)\.(?P<fmt>jsonld|ttl)$", dcat.dataset_view, name="dataset_dcat"),
    path("data/<slug:slug>/datapackage.json", dcat.datapackage_view, name="datapackage"),
    # Public pages
    path("data/", views.search, name="search"),
    path("data/<slug:slug>/", views.dataset, name="dataset"),
    path("data/<slug:slug>/grafik.svg", views.chart_svg, name="chart_svg"),
    path("data/<slug:slug>/peta.svg", views.map_svg, name="map_svg"),
    path("data/<slug:slug>/v<int:number>/unduh.<str:fmt>", views.download, name="download"),
    # Staff pages
    path("staf/data/", views_staff.dataset_list, name="staff_list"),
    path("staf/data/baru/", views_staff.dataset_create, name="staff_create"),
    path("staf/data/tinjauan/", views_staff.review_queue, name="staff_review"),
    path("staf/data/akses/<int:pk>/tinjau/", views_staff.access_review, name="staff_access_review"),
    path("staf/data/<int:pk>/", views_staff.dataset_detail, name="staff_dataset"),
    path("staf/data/<int:pk>/ubah/", views_staff.dataset_edit, name="staff_edit"),
    path("staf/data/<int:pk>/kegiatan/", views_staff.activity_edit, name="staff_activity"),
    path("staf/data/<int:pk>/indikator/", views_staff.indicator_add, name="staff_indicator"),
    path("staf/data/<int:pk>/unggah/", views_staff.upload, name="staff_upload"),
    path("staf/data/versi/<int:pk>/", views_staff.version_detail, name="staff_version"),
    path("staf/data/versi/<int:pk>/kolom/", views_staff.columns_edit, name="staff_columns"),
    path("staf/data/versi/<int:pk>/ajukan/", views_staff.version_submit, name="staff_submit"),
    path("staf/data/versi/<int:pk>/tinjau/", views_staff.version_review, name="staff_version_review"),
    path("staf/data/versi/<int:pk>/galat.csv", views_staff.error_file, name="staff_error_file"),
]
