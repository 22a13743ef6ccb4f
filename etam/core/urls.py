"""Core URLs.

``urlpatterns`` (namespace ``core``) are the staff pages, mounted at ``/staf/organisasi/``.
``account_urlpatterns`` (no namespace, names ``login``, ``logout``, ...) are the sign-in
and own-account pages, mounted at the site root.
"""

from django.urls import path

from etam.core import views, views_account

app_name = "core"

urlpatterns = [
    path("", views.agency_list_view, name="agency_list"),
    path("instansi/baru/", views.institution_create_view, name="institution_create"),
    path("instansi/<int:pk>/", views.institution_detail_view, name="institution_detail"),
    path("instansi/<int:pk>/ubah/", views.institution_edit_view, name="institution_edit"),
    path("opd/baru/", views.agency_create_view, name="agency_create"),
    path("opd/<int:pk>/", views.agency_detail_view, name="agency_detail"),
    path("opd/<int:pk>/ubah/", views.agency_edit_view, name="agency_edit"),
    path("opd/<int:pk>/status/", views.agency_status_view, name="agency_status"),
    path("opd/<int:pk>/unit/baru/", views.unit_create_view, name="unit_create"),
    path("unit/<int:pk>/ubah/", views.unit_edit_view, name="unit_edit"),
    path("pegawai/", views.staff_list_view, name="staff_list"),
    path("pegawai/baru/", views.staff_create_view, name="staff_create"),
    path("pegawai/<int:pk>/", views.staff_detail_view, name="staff_detail"),
    path("pegawai/<int:pk>/ubah/", views.staff_edit_view, name="staff_edit"),
    path("pegawai/<int:pk>/status/", views.staff_status_view, name="staff_status"),
    path("peran/<int:pk>/cabut/", views.grant_revoke_view, name="grant_revoke"),
]

account_urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("masuk/verifikasi/", views.login_verify_view, name="login_verify"),
    path("keluar/", views.logout_view, name="logout"),
    path("daftar/", views.register_view, name="register"),
    path("akun/", views.account_view, name="account"),
    path("akun/kata-sandi/", views.password_change_view, name="account_password"),
    path("akun/keamanan/", views.account_security_view, name="account_security"),
    path("akun/profil/", views_account.profile_view, name="account_profile"),
    path("lupa-kata-sandi/", views_account.password_recovery_view, name="password_recovery"),
    path("lupa-kata-sandi/kode/", views_account.password_recovery_code_view, name="password_recovery_code"),
]
