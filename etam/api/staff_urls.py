from django.urls import path

from etam.api import staff_views

app_name = "api_tokens"

urlpatterns = [
    path("", staff_views.token_list, name="list"),
    path("<int:token_id>/cabut/", staff_views.token_revoke, name="revoke"),
]
