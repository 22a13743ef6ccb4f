"""A URLconf exercising every branch of public page discovery."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import include, path, re_path

from etam.web import views


def broken(request):
    raise RuntimeError("halaman rusak")


def download(request):
    response = HttpResponse(b"a,b\n1,2\n", content_type="text/html")
    response["Content-Disposition"] = 'attachment; filename="data.csv"'
    return response


urlpatterns = [
    path("", views.home),
    path("rusak/", broken),
    path("unduh/", download),
    path("data.json", lambda request: JsonResponse({})),
    path("masuk-dulu/", lambda request: redirect("/")),
    path("dengan/<slug:slug>/", views.home),
    re_path(r"^regex/(?P<year>[0-9]{4})/$", views.home),
    re_path(r"^tetap\.html$", views.home),
    path("bagian/", include([path("dalam/", views.home)])),
    path("api/halaman/", views.home),
]
