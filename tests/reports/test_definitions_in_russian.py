"""The definitions page (docs/reports.md, docs/reports.ru.md) in the operator's language:
both files name the same sections by the same anchors, and every anchor the Reports page
links exists in both (in the console and in the admin)."""

import re

import pytest
from report_dataset import CURRENT

from reports import definitions

pytestmark = pytest.mark.django_db

DEFINITIONS = "/console/reports/definitions/"


def ids(html: str) -> set[str]:
    return set(re.findall(r'<h[1-4] id="([\w-]+)"', html))


def test_both_files_have_the_same_headings_in_the_same_order():
    english, russian = definitions.anchors("en"), definitions.anchors("ru")
    assert len(english) == len(set(english)) >= 20
    assert russian == english


def test_every_russian_heading_is_in_russian():
    text = definitions.SOURCES["ru"].read_text(encoding="utf-8")
    for title in re.findall(r"^#{1,4} (.+)$", text, flags=re.M):
        words, _anchor = definitions.heading(title)
        assert re.search("[а-яё]", words, re.I), title


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_anchor_the_page_links_exists_in_both_languages(
    client, alice, month, language, make_operator
):
    alice.language = language
    alice.save()
    client.force_login(alice.user)
    page = client.get("/console/reports/", CURRENT).content.decode()
    linked = set(re.findall(r'href="/console/reports/definitions/#([\w-]+)"', page))
    assert len(linked) >= 14
    shown = client.get(DEFINITIONS).content.decode()
    assert linked <= ids(shown)
    for other in ("en", "ru"):
        assert linked <= ids(definitions.html(other)), other


@pytest.mark.parametrize(
    ("language", "words", "absent"),
    [
        ("ru", "Время первого ответа", "First response time"),
        ("en", "First response time", "Время первого ответа"),
    ],
)
def test_the_page_speaks_the_operators_language(client, alice, language, words, absent):
    alice.language = language
    alice.save()
    client.force_login(alice.user)
    html = client.get(DEFINITIONS).content.decode()
    assert f'<h2 id="first-response-time">{words}</h2>' in html
    assert absent not in html
    assert f'class="r-docs-body" lang="{language}"' in html


def test_the_admins_definitions_follow_his_language(admin_client):
    html = admin_client.get(
        "/admin/reports/report/definitions/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert '<h2 id="first-response-time">Время первого ответа</h2>' in html


def test_the_admin_page_links_only_anchors_that_exist(admin_client, alice, month, site):
    html = admin_client.get(
        "/admin/reports/report/", {**CURRENT, "account": site.account_id}
    ).content.decode()
    linked = set(re.findall(r'href="/admin/reports/report/definitions/#([\w-]+)"', html))
    assert len(linked) >= 14
    for language in ("en", "ru"):
        assert linked <= ids(definitions.html(language))


@pytest.mark.parametrize(
    ("code", "language"),
    [("ru", "ru"), ("ru-ru", "ru"), ("en-gb", "en"), ("de", "en"), (None, "en"), ("", "en")],
)
def test_a_language_without_its_file_gets_english(code, language):
    assert definitions.language_of(code) == language


def test_everything_is_escaped():
    html = definitions.render(
        '## <b>Bold</b> {#fine}\n\nA <script>alert(1)</script> & `<i>` **"x"**\n\n'
        '## Bad anchor {#"><script>}\n'
    )
    assert '<h2 id="fine">&lt;b&gt;Bold&lt;/b&gt;</h2>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<code>&lt;i&gt;</code>" in html
    # Not an anchor of the allowed shape: the braces stay text, the id is the slug.
    assert '<h2 id="bad-anchor-script">' in html
