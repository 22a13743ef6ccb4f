from django.urls import path

from etam.quality import views, views_institution, views_staff

app_name = "quality"

urlpatterns = [
    path("survei/terima-kasih/", views.thanks, name="thanks"),
    path("survei/permohonan/<int:application_id>/", views.case_survey, name="case_survey"),
    path("survei/<str:token>/", views.survey, name="survey"),
    path("survei-kepuasan/", views.results, name="results"),
    path("standar-pelayanan/<slug:slug>/", views.standard, name="standard"),
    path("standar-pelayanan/<slug:slug>/standar.pdf", views.standard_pdf, name="standard_pdf"),
    path("pengaduan/", views.complaint_new, name="complaint_new"),
    path("pengaduan/lacak/", views.complaint_track, name="complaint_track"),
    path("staf/kualitas/", views.report_index, name="reports"),
    path("staf/kualitas/pengaduan/", views_staff.complaint_list, name="complaints"),
    path("staf/kualitas/pengaduan/<int:complaint_id>/", views_staff.complaint_detail, name="complaint"),
    path("staf/kualitas/standar/", views_staff.standard_list, name="standards"),
    path("staf/kualitas/standar/<int:service_id>/", views_staff.standard_edit, name="standard_edit"),
    path(
        "staf/kualitas/standar/<int:service_id>/versi/<int:number>/",
        views_staff.standard_edit,
        name="standard_version",
    ),
    path("staf/kualitas/maklumat/", views_staff.charter_sign, name="charter_sign"),
    path("standar-pelayanan/<slug:slug>/maklumat.pdf", views.charter_pdf, name="charter_pdf"),
    path("staf/kualitas/kertas/", views.paper_entry, name="paper"),
    path("staf/kualitas/opd/<int:agency_id>/", views.report, name="report"),
    path("staf/kualitas/opd/<int:agency_id>/laporan.xlsx", views.report_xlsx, name="report_xlsx"),
    path(
        "staf/kualitas/instansi/<int:institution_id>/", views_institution.institution_report, name="institution_report"
    ),
    path(
        "staf/kualitas/instansi/<int:institution_id>/laporan.pdf",
        views_institution.institution_report_pdf,
        name="institution_report_pdf",
    ),
    path("staf/kualitas/opd/<int:agency_id>/laporan.pdf", views.report_pdf, name="report_pdf"),
]
