from django.urls import path

from etam.governance import views, views_risk, views_security

app_name = "governance"

urlpatterns = [
    path("staf/tata-kelola/layanan/", views.request_list, name="request_list"),
    path("staf/tata-kelola/layanan/baru/", views.request_create, name="request_create"),
    path("staf/tata-kelola/layanan/<int:pk>/", views.request_detail, name="request_detail"),
    path("staf/tata-kelola/layanan/<int:pk>/komentar/", views.request_comment, name="request_comment"),
    path("staf/tata-kelola/layanan/<int:pk>/berkas/", views.request_attach, name="request_attach"),
    path("staf/tata-kelola/layanan/<int:pk>/berkas/<int:file_pk>/", views.request_file, name="request_file"),
    path("staf/tata-kelola/layanan/<int:pk>/tugaskan/", views.request_assign, name="request_assign"),
    path("staf/tata-kelola/layanan/<int:pk>/tutup/", views.request_close, name="request_close"),
    path("staf/tata-kelola/layanan/<int:pk>/pemetaan/", views.proposal_map, name="proposal_map"),
    path("staf/tata-kelola/layanan/<int:pk>/keputusan/", views.proposal_decide, name="proposal_decide"),
    path("staf/tata-kelola/risiko/", views_risk.risk_list, name="risk_list"),
    path("staf/tata-kelola/risiko/baru/", views_risk.risk_create, name="risk_create"),
    path("staf/tata-kelola/risiko/konteks/", views_risk.risk_context, name="risk_context"),
    path("staf/tata-kelola/risiko/<int:pk>/", views_risk.risk_detail, name="risk_detail"),
    path("staf/tata-kelola/risiko/<int:pk>/penanganan/", views_risk.risk_treat, name="risk_treat"),
    path("staf/tata-kelola/risiko/<int:pk>/pemantauan/", views_risk.risk_monitor, name="risk_monitor"),
    path("staf/tata-kelola/penanganan/<int:pk>/", views_risk.treatment_status, name="treatment_status"),
    path("staf/tata-kelola/keamanan/", views_security.security_home, name="security_home"),
    path("staf/tata-kelola/keamanan/kendali/", views_security.control_set, name="control_set"),
    path("staf/tata-kelola/keamanan/insiden/baru/", views_security.incident_create, name="incident_create"),
    path("staf/tata-kelola/keamanan/insiden/<int:pk>/", views_security.incident_detail, name="incident_detail"),
    path("staf/tata-kelola/audit/", views_security.audit_list, name="audit_list"),
    path("staf/tata-kelola/audit/baru/", views_security.audit_create, name="audit_create"),
    path("staf/tata-kelola/audit/<int:pk>/", views_security.audit_detail, name="audit_detail"),
    path("staf/tata-kelola/audit/<int:pk>/tahap/", views_security.audit_advance, name="audit_advance"),
    path("staf/tata-kelola/audit/<int:pk>/temuan/", views_security.finding_add, name="finding_add"),
    path("staf/tata-kelola/temuan/<int:pk>/", views_security.finding_follow_up, name="finding_follow_up"),
    path("staf/tata-kelola/data-pribadi/", views_security.privacy_list, name="privacy_list"),
    path("staf/tata-kelola/data-pribadi/baru/", views_security.processing_create, name="processing_create"),
    path("staf/tata-kelola/data-pribadi/ppdp/", views_security.dpo_edit, name="dpo_edit"),
]
