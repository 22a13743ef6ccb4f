from django.urls import path

from etam.interop import views

app_name = "interop"

urlpatterns = [
    path("interoperabilitas/", views.catalogue, name="catalogue"),
    path("interoperabilitas/<slug:code>/", views.catalogue_detail, name="catalogue_detail"),
    path("staf/interop/layanan/", views.service_list, name="service_list"),
    path("staf/interop/layanan/baru/", views.service_create, name="service_create"),
    path("staf/interop/layanan/<int:pk>/", views.service_detail, name="service_detail"),
    path("staf/interop/layanan/<int:pk>/splp/", views.service_publish, name="service_publish"),
    path("staf/interop/perjanjian/<int:pk>/putusan/", views.agreement_decide, name="agreement_decide"),
    path("staf/interop/perjanjian/<int:pk>/cabut/", views.agreement_revoke, name="agreement_revoke"),
    path("staf/interop/konsumen/", views.consumer_list, name="consumer_list"),
    path("staf/interop/konsumen/baru/", views.consumer_create, name="consumer_create"),
    path("staf/interop/konsumen/<int:pk>/", views.consumer_detail, name="consumer_detail"),
    path("staf/interop/konsumen/<int:pk>/kunci/", views.consumer_key_issue, name="consumer_key_issue"),
    path("staf/interop/kunci/<int:pk>/cabut/", views.consumer_key_revoke, name="consumer_key_revoke"),
    path("staf/interop/log/", views.exchange_list, name="exchange_list"),
]
