"""Languages: the Russian catalogue is complete, the console follows the operator's
profile, the widget its site (or the visitor's browser), nicknames agree in gender."""

import gettext as gettext_module
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from babel.messages.frontend import CommandLineInterface
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from chat.visitors import animals

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
RU_PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"

# Words a template may show untranslated: technical names, not language.
NOT_WORDS = {"IP", "UTC"}
# Not product UI: the demo page stands for a customer's own site.
NOT_PRODUCT = {"chat/demo.html"}


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """`make install` compiles the .mo files; a bare `pytest` run compiles them here."""
    stale = [
        po
        for po in LOCALE.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(LOCALE), "-D", "django"])
        gettext_module._translations.clear()
        trans_real._translations = {}
        trans_real._default = None


def _untranslated_text(source: str) -> list[str]:
    """Words a template shows outside {% translate %} / {% blocktranslate %}."""
    text = re.sub(
        r"{%\s*(blocktranslate|blocktrans|comment)\b.*?{%\s*end\1\s*%}", " ", source, flags=re.S
    )
    # Blocks that only fill attributes (body_class, body_attrs) hold class names.
    text = re.sub(
        r"{%\s*block\s+body_(?:class|attrs)\s*%}.*?{%\s*endblock\s*%}", " ", text, flags=re.S
    )
    text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", " ", text, flags=re.S)
    # The honeypot field is hidden from people; its label is bait for bots.
    text = re.sub(r'<div class="lc-hp".*?</div>', " ", text, flags=re.S)
    found = [
        value
        for value in re.findall(r'\b(?:title|placeholder|aria-label|alt)="([^"]*)"', text)
        if re.search(r"[^\W\d_]", value)
    ]
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&\w+;|&#\d+;", " ", text)
    found += re.findall(r"[^\W\d_][\w'’-]*", text)
    return [word for word in found if word not in NOT_WORDS]


def test_templates_show_no_text_outside_translate_tags():
    offenders = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        if name in NOT_PRODUCT:
            continue
        words = _untranslated_text(path.read_text(encoding="utf-8"))
        if words:
            offenders[name] = words
    assert not offenders, f"untranslated text in templates: {offenders}"


def _check_catalogue(path: Path):
    catalogue = polib.pofile(str(path))
    assert not catalogue.metadata_is_fuzzy
    assert "nplurals=3;" in catalogue.metadata["Plural-Forms"]
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags or not all(forms) or len(forms) not in (1, 3):
            problems.append(entry.msgid)
            continue
        # The placeholders survive translation.
        wanted = sorted(re.findall(r"%%|%\(\w+\)[sd]", entry.msgid))
        for form in forms:
            if sorted(re.findall(r"%%|%\(\w+\)[sd]", form)) != wanted:
                problems.append(f"{entry.msgid} (placeholders)")
    assert not problems, f"untranslated or fuzzy in {path.name}: {problems}"


def test_committed_russian_catalogue_is_complete():
    _check_catalogue(RU_PO)


def test_russian_catalogue_covers_every_string_of_the_code():
    """makemessages on a copy of the project: a new {% translate %} string without its
    Russian translation fails here."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("REQUIRE_GETTEXT") == "1":
            pytest.fail("REQUIRE_GETTEXT=1 but GNU gettext (xgettext, msgmerge) is missing")
        pytest.skip("GNU gettext (xgettext) is not installed: apt-get install gettext")
    copy = Path(os.environ.get("TMPDIR", "/tmp")) / f"i18n-copy-{os.getpid()}"
    shutil.rmtree(copy, ignore_errors=True)
    try:
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv",
                "var",
                "bench",
                "tests",
                "test-artifacts",
                "*.egg-info",
                ".*cache",
                "__pycache__",
                "*.mo",
                "node_modules",
            ),
        )
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "ru",
                "--ignore=.venv",
                "--ignore=var",
                "--ignore=bench",
                "--ignore=tests",
            ],
            cwd=copy,
            check=True,
            capture_output=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        )
        _check_catalogue(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    finally:
        shutil.rmtree(copy, ignore_errors=True)


# --- nicknames ------------------------------------------------------------------------------


def test_nicknames_are_translated_and_agree_in_gender():
    with translation.override("ru"):
        assert animals.nickname("blue-fox") == "Синий лис"
        assert animals.nickname("blue-owl") == "Синяя сова"
        assert animals.nickname("golden-frog") == "Золотая лягушка"
    with translation.override("en"):
        assert animals.nickname("blue-fox") == "Blue Fox"
        assert animals.nickname("blue-owl") == "Blue Owl"


def test_every_nickname_has_its_russian_words():
    with translation.override("ru"):
        for colour in animals.COLOURS:
            for animal in animals.ANIMALS:
                name = animals.nickname(f"{colour}-{animal}")
                assert re.fullmatch(r"[А-ЯЁ][а-яё]+ [а-яё]+", name), name


# --- the console ----------------------------------------------------------------------------


def _console(client, make_operator, site, language, **headers):
    operator = make_operator(sites=[site], language=language)
    client.force_login(operator.user)
    return client.get(reverse("console:mine"), **headers)


@pytest.mark.django_db
def test_console_speaks_the_operators_language(client, make_operator, site):
    page = _console(client, make_operator, site, "ru", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in html
    for word in ("Мои", "Пропущенные", "Заявки", "Выйти"):
        assert word in html


@pytest.mark.django_db
def test_console_in_english_for_an_english_operator(client, make_operator, site):
    page = _console(client, make_operator, site, "en", HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    assert page.headers["Content-Language"] == "en"
    assert "Missed" in html and "Пропущенные" not in html


@pytest.mark.django_db
def test_console_follows_the_browser_without_a_choice(client, make_operator, site):
    html = _console(client, make_operator, site, "", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Пропущенные" in html


@pytest.mark.django_db
def test_operator_picks_his_language_in_the_menu(client, make_operator, site):
    operator = make_operator(sites=[site])
    client.force_login(operator.user)
    menu = client.get(reverse("console:mine")).content.decode()
    # Each language is offered under its own name.
    assert "Browser language" in menu and "English" in menu and "Русский" in menu
    answer = client.post(reverse("console:language"), {"language": "ru", "next": "/console/"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/console/"
    operator.refresh_from_db()
    assert operator.language == "ru"
    assert "Пропущенные" in client.get(reverse("console:mine")).content.decode()
    client.post(reverse("console:language"), {"language": "xx"})  # not offered: ignored
    operator.refresh_from_db()
    assert operator.language == "ru"
    client.post(reverse("console:language"), {"language": ""})
    operator.refresh_from_db()
    assert operator.language == ""


# --- the widget -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_widget_speaks_its_sites_language(client, make_site):
    site = make_site(language="ru")
    page = client.get(reverse("widget", args=[site.widget_key]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in html
    assert "Напишите сообщение…" in html


@pytest.mark.django_db
def test_widget_follows_the_visitors_browser_without_a_site_language(client, make_site):
    site = make_site(language="")
    url = reverse("widget", args=[site.widget_key])
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5").content.decode()
    assert "Напишите сообщение…" in russian
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Write a message…" in english and "Напишите" not in english
