from django.urls import path

from etam.quality import views

app_name = "quality"

urlpatterns = [
    path("survei/terima-kasih/", views.thanks, name="thanks"),
    path("survei/<str:token>/", views.survey, name="survey"),
    path("survei-kepuasan/", views.results, name="results"),
    path("staf/kualitas/", views.report_index, name="reports"),
    path("staf/kualitas/kertas/", views.paper_entry, name="paper"),
    path("staf/kualitas/opd/<int:agency_id>/", views.report, name="report"),
]
