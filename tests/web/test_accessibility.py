from __future__ import annotations

import pytest

from tests.web.accessibility import accessibility_problems
from tests.web.public_pages import NOT_FOUND_SAMPLE, discover_public_pages


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_public_page_passes_the_accessibility_smoke(client, province, language):
    client.cookies["django_language"] = language
    discovery = discover_public_pages(client)
    pages = discovery.pages
    assert "/" in pages
    problems = [f"{path}: {error}" for path, error in discovery.errors.items()]
    for path in [*pages, NOT_FOUND_SAMPLE]:
        response = client.get(path)
        assert response["Content-Language"] == language
        problems += [f"{path}: {p}" for p in accessibility_problems(response.content.decode())]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_staff_dashboard_passes_the_accessibility_smoke(client, province):
    client.force_login(province.admin_dpmptsp)
    assert accessibility_problems(client.get("/staf/").content.decode()) == []


GOOD = """<!doctype html><html lang="id"><body><a href="#konten">Lewati</a>
<main id="konten"><h1>Judul</h1><form><label for="nama">Nama</label><input id="nama" name="nama">
<label>Kota <select name="kota"></select></label><textarea name="c" aria-label="Catatan"></textarea>
<input type="hidden" name="t"><button>Kirim</button></form></main></body></html>"""


def test_a_good_page_has_no_problems():
    assert accessibility_problems(GOOD) == []


@pytest.mark.parametrize(
    "broken, expected",
    [
        (GOOD.replace(' lang="id"', ""), "lang"),
        (GOOD.replace("<h1>Judul</h1>", ""), "one <h1>"),
        (GOOD.replace("<h1>Judul</h1>", "<h1>A</h1><h1>B</h1>"), "one <h1>"),
        (GOOD.replace('id="konten"', 'id="isi"'), '<main id="konten">'),
        (GOOD.replace('<a href="#konten">Lewati</a>', ""), "skip link"),
        (GOOD.replace('<label for="nama">Nama</label>', ""), "<input name=nama> has no label"),
        (GOOD.replace("<label>Kota <select", "Kota <select").replace("</select></label>", "</select>"), "kota"),
        (GOOD.replace(' aria-label="Catatan"', ""), "<textarea name=c> has no label"),
        (GOOD.replace("<button>Kirim</button>", "<button></button>"), "<button"),
        (GOOD.replace("<h1>Judul</h1>", '<h1>Judul</h1><img src="/a.png">'), "alt"),
        (GOOD.replace('name="t">', 'name="t" id="nama">'), "duplicate id"),
    ],
)
def test_each_rule_fails_when_broken(broken, expected):
    problems = accessibility_problems(broken)
    assert any(expected in p for p in problems), problems
