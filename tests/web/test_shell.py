from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import path

from etam.core.models import RoleGrant
from etam.web import dashboard
from etam.web.navigation import PUBLIC_NAV, STAFF_NAV, NavEntry
from etam.web.shell import is_staff_user


@pytest.fixture
def nav_entries():
    """Registers a few menu entries for one test and removes them afterwards."""
    added: list[tuple[list[NavEntry], NavEntry]] = []

    def add(target: list[NavEntry], entry: NavEntry) -> NavEntry:
        target.append(entry)
        added.append((target, entry))
        return entry

    yield add
    for target, entry in added:
        target.remove(entry)


@pytest.fixture
def widget():
    keys: list[str] = []

    def add(key: str, **kwargs):
        dashboard.register_widget(key, **kwargs)
        keys.append(key)

    yield add
    for key in keys:
        dashboard.unregister_widget(key)


@pytest.mark.django_db
def test_home_speaks_indonesian_by_default_with_landmarks(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "id"
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert html.index('<a class="skip" href="#konten">Langsung ke konten utama</a>') < html.index("<header")
    for landmark in ('<header class="site-head">', "<nav", '<main id="konten"', '<footer class="site-foot">'):
        assert landmark in html
    assert "Apa itu SPBE?" in html
    for area in ("Layanan publik elektronik", "Satu Data", "Evaluasi SPBE", "Arsitektur dan infrastruktur"):
        assert area in html
    assert 'href="/api/v1/docs"' in html
    assert "Kepmendagri 300.2.2-2430/2025" in html and "sumber: BPS" in html
    # The only script is the offline outbox enhancement: same-origin, deferred, never in <head>.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/static/offline/outbox.js" defer>']
    assert html.index("<script") > html.index("</head>")


@pytest.mark.django_db
def test_language_switch_is_a_plain_post_form(client):
    html = client.get("/?q=1").content.decode()
    assert '<form action="/i18n/setlang/" method="post">' in html
    assert '<input type="hidden" name="next" value="/?q=1">' in html
    assert 'name="language" value="en" lang="en">English</button>' in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/?q=1"})
    assert response.status_code == 302 and response["Location"] == "/?q=1"
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert "Skip to main content" in english and "What is SPBE?" in english
    assert 'name="language" value="id" lang="id">Bahasa Indonesia</button>' in english


@pytest.mark.django_db
def test_public_menu_lists_registered_entries_that_resolve(client, nav_entries):
    nav_entries(PUBLIC_NAV, NavEntry(label="Beranda uji", url_name="web:home", description="Masuk ke beranda"))
    nav_entries(PUBLIC_NAV, NavEntry(label="Modul belum terpasang", url_name="belum:ada"))
    html = client.get("/").content.decode()
    assert '<li><a href="/" aria-current="page">Beranda</a></li>' in html
    assert '<li><a href="/" aria-current="page">Beranda uji</a></li>' in html
    assert "Masuk ke beranda" in html  # the home page card
    assert "Modul belum terpasang" not in html


@pytest.mark.django_db
def test_home_is_cheap(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_anonymous_header_links_to_sign_in(client):
    html = client.get("/").content.decode()
    assert ">Masuk</a>" in html
    assert "Keluar" not in html


@pytest.mark.django_db
def test_staff_dashboard_requires_sign_in(client):
    response = client.get("/staf/")
    assert response.status_code == 302
    assert "next=/staf/" in response["Location"]


@pytest.mark.django_db
def test_citizen_is_refused_the_staff_area(client, province):
    client.force_login(province.citizen)
    response = client.get("/staf/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Akses ditolak" in html and '<html lang="id">' in html
    assert "Area pegawai" not in html  # no staff link in the header for a citizen


@pytest.mark.django_db
def test_staff_dashboard_shows_grants_menu_and_sign_out(client, province, nav_entries):
    nav_entries(
        STAFF_NAV, NavEntry(label="Kelola OPD", url_name="web:home", permission="core.manage_grants", description="x")
    )
    nav_entries(STAFF_NAV, NavEntry(label="Audit khusus", url_name="web:home", permission="tidak.dimiliki"))
    client.force_login(province.admin_dpmptsp)
    response = client.get("/staf/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Dasbor pegawai</h1>" in html
    assert "Admin DPMPTSP" in html
    assert "<strong>Admin OPD</strong>" in html  # the role, translated
    assert "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu" in html
    assert html.count("Kelola OPD") == 2  # side menu and card
    assert "Audit khusus" not in html
    # The header's wide row, the header's phone menu (issue 15) and the side menu.
    assert html.count('<form action="/keluar/" method="post" data-sign-out>') == 3
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.django_db
def test_staff_dashboard_lists_only_active_grants(client, province):
    from django.utils import timezone

    RoleGrant.objects.filter(user=province.admin_kaltim).update(revoked_at=timezone.now())
    client.force_login(province.admin_kaltim)
    html = client.get("/staf/").content.decode()
    assert "Anda belum memiliki peran" in html


@pytest.mark.django_db
def test_staff_dashboard_queries_are_pinned(client, province, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(dashboard, "_WIDGETS", {})  # module widgets pin their own queries
    client.force_login(province.admin_dpmptsp)
    client.get("/staf/")
    # session + user, role grants (once, cached on the user), grants listing
    with django_assert_num_queries(4):
        assert client.get("/staf/").status_code == 200


@pytest.mark.django_db
def test_widgets_are_filtered_by_permission_and_can_hide_themselves(client, province, widget, settings, tmp_path):
    (tmp_path / "widget.html").write_text("<p>Angka: {{ angka }} untuk {{ request.user.full_name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    widget("uji.angka", title="Widget angka", template="widget.html", context=lambda r: {"angka": 42}, order=1)
    widget("uji.rahasia", title="Widget rahasia", template="widget.html", permission="tidak.dimiliki")
    widget("uji.kosong", title="Widget kosong", template="widget.html", context=lambda r: None)
    widget("uji.izin", title="Widget admin", template="widget.html", permission="core.manage_grants")

    client.force_login(province.admin_dpmptsp)
    html = client.get("/staf/").content.decode()
    assert "Widget angka" in html and "<p>Angka: 42 untuk Admin DPMPTSP</p>" in html
    assert "Widget admin" in html
    assert "Widget rahasia" not in html and "Widget kosong" not in html

    client.force_login(province.officer_dpmptsp)
    html = client.get("/staf/").content.decode()
    assert "Widget angka" in html and "Widget admin" not in html


@pytest.mark.django_db
def test_widget_of_an_unmounted_module_is_left_out_not_a_500(client, province, widget, settings, tmp_path, caplog):
    # Found on a fresh clone: a module's widget linked to its namespace before its urls
    # were mounted, and /staf/ answered 500 for every role that could see the widget.
    (tmp_path / "ok.html").write_text("<p>Widget sehat</p>")
    (tmp_path / "broken.html").write_text("<a href=\"{% url 'modul_belum_dipasang:daftar' %}\">x</a>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    widget("uji.rusak", title="Widget rusak", template="broken.html", order=1)
    widget("uji.sehat", title="Widget sehat", template="ok.html", order=2)

    client.force_login(province.admin_dpmptsp)
    with caplog.at_level("ERROR", logger="etam.web.dashboard"):
        response = client.get("/staf/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>Widget sehat</p>" in html and "Widget rusak" not in html
    assert any("uji.rusak" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_is_staff_user(province):
    assert is_staff_user(province.officer_dpmptsp)
    assert not is_staff_user(province.citizen)
    province.officer_dpmptsp.is_active = False
    assert not is_staff_user(province.officer_dpmptsp)


@pytest.mark.django_db
def test_not_found_page_is_indonesian_and_light(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html and '<html lang="id">' in html


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_indonesian_and_standalone(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Terjadi kesalahan di sisi kami" in html
    assert '<main id="konten"' in html and "<h1>" in html
    assert "<link" not in html and "<script" not in html


@pytest.mark.django_db
def test_an_english_browser_still_gets_indonesian_until_it_switches(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id")
    assert response["Content-Language"] == "en"


def test_the_api_keeps_accept_language(rf):
    from django.utils import translation

    from etam.web.middleware import IndonesianFirstMiddleware

    seen = {}

    def view(request):
        seen[request.path] = translation.get_language()
        from django.http import HttpResponse

        return HttpResponse()

    middleware = IndonesianFirstMiddleware(view)
    with translation.override("en"):
        middleware(rf.get("/api/v1/ping"))
        middleware(rf.get("/layanan/"))
    assert seen == {"/api/v1/ping": "en", "/layanan/": "id"}
