from django.urls import path

from etam.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("staf/", views.staff_dashboard, name="staff_dashboard"),
]
