"""One conversation walked in each language, on a desktop and on a 390-pixel phone, with
nothing on screen left in the other language.

An operator whose profile says Russian (or English) and a visitor on a site whose widget is
Russian (or English) talk live: the widget's default title and greeting, the live row in
Mine, the read-only dialog and "Connect to dialog", the reply, the read mark in the widget,
the visitor card and the dialog menu. On every screen the visible text, placeholders and
accessible labels are compared with the English source strings of the Russian catalogue:
a Russian screen must show none of them, and a phone screen must not scroll sideways.
The screenshots are the ones the closing note of issue 7 shows."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import expect

from chat.models import Site
from chat.visitors import animals
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "tour"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WIDGET_TITLE = {"en": "Chat with us", "ru": "Напишите нам"}
GREETING = {"en": "Hello! How can we help you?", "ru": "Здравствуйте! Чем можем помочь?"}
CONNECT = {"en": "Connect to dialog", "ru": "Подключиться к диалогу"}
QUESTION = {"en": "Do you deliver on Sundays?", "ru": "Вы доставляете по воскресеньям?"}
# Longer than a row: it must end in "…" inside the list, not run past its edge.
LONG_QUESTION = {
    "en": "Hello, I ordered a bouquet of white roses yesterday evening and still have no "
    "confirmation email, could you check order 4417?",
    "ru": "Здравствуйте, вчера вечером я заказал букет белых роз и до сих пор не получил "
    "письмо с подтверждением, проверьте заказ 4417?",
}
ANSWER = {"en": "Yes, from 10 to 18.", "ru": "Да, с 10 до 18."}
SEND = {"en": "Send", "ru": "Отправить"}

# Every visible text node, and the labels a screen reader or a placeholder shows.
SCREEN_TEXT_JS = """(root) => {
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest('script, style, template, [hidden], [aria-hidden="true"]')) continue;
    if (!el.checkVisibility()) continue;
    out.push(node.textContent.trim());
  }
  root.querySelectorAll('[aria-label], [placeholder], [title]').forEach((el) => {
    if (!el.checkVisibility()) return;
    ['aria-label', 'placeholder', 'title'].forEach((name) => {
      if (el.hasAttribute(name)) out.push(el.getAttribute(name).trim());
    });
  });
  return out;
}"""


def english_sources() -> set[str]:
    """The English strings the Russian catalogue translates differently, placeholders cut
    off, and every English nickname: a Russian screen showing one of them has a string
    left untranslated."""
    with translation.override("en"):
        sources = {
            animals.nickname(f"{colour}-{animal}").lower()
            for colour in animals.COLOURS
            for animal in animals.ANIMALS
        }
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale/ru/LC_MESSAGES/django.po"))
    for entry in catalogue:
        if entry.obsolete or entry.msgid_plural or entry.msgstr == entry.msgid:
            continue
        text = re.split(r"%\(\w+\)[sd]|\{", entry.msgid)[0].strip(" :…").lower()
        # Words shorter than this are too often names or parts of data ("IP", "OS").
        if len(text) >= 4 and re.search(r"[a-z]{3}", text):
            sources.add(text)
    return sources


def english_left_on(texts: list[str], sources: set[str]) -> list[str]:
    found = []
    for text in texts:
        cleaned = text.strip(" :…·✓").lower()
        if cleaned in sources:
            found.append(text)
    return found


def no_sideways_scroll(page, what: str):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} scrolls sideways by {overflow} px on a phone"


@pytest.fixture
def shop(password, request):
    language = request.node.callspec.params["language"]
    account = Account.objects.create(name="Tour shop")
    site = Site.objects.create(
        account=account, name="Flower shop", widget_key=f"tour-{language}", language=language
    )
    operator = Operator.objects.create(
        user=get_user_model().objects.create_user("tanya", password=password),
        account=account,
        display_name="Tanya",
        language=language,
    )
    site.operators.add(operator)
    # A second site whose widget speaks the other language: its visitors' rows must still
    # reach Tanya in hers.
    other = Site.objects.create(
        account=account,
        name="Garden shop",
        widget_key=f"tour-other-{language}",
        language="ru" if language == "en" else "en",
    )
    other.operators.add(operator)
    return site, other


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_conversation_in_one_language_on_desktop_and_phone(
    asgi_server, browser, shop, log_in, language, viewport
):
    shop, other_shop = shop
    phone = viewport is PHONE
    size = "phone" if phone else "desktop"
    SCREENS.mkdir(parents=True, exist_ok=True)
    sources = english_sources() if language == "ru" else set()

    def check_screen(page, what, root="body", frame=None):
        target = (frame or page).locator(root).first
        texts = target.evaluate(SCREEN_TEXT_JS)
        assert not english_left_on(texts, sources), f"{what}: English left on a {language} screen"
        if phone and frame is None:
            no_sideways_scroll(page, what)

    # The visitor's browser is in the other language: the site's setting wins.
    other = "ru" if language == "en" else "en"
    console = browser.new_context(viewport=viewport, locale=language).new_page()
    log_in(console, asgi_server, "tanya")
    visitor = browser.new_context(viewport=viewport, locale=other).new_page()
    visitor.goto(f"{asgi_server}/demo/?site={shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-title")).to_have_text(WIDGET_TITLE[language])
    expect(widget.locator(".lc-greeting")).to_contain_text(GREETING[language])
    expect(widget.locator("html")).to_have_attribute("lang", language)

    widget.locator("#lc-input").fill(QUESTION[language])
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)").last).to_contain_text(
        QUESTION[language]
    )

    # A visitor of the other-language site writes too.
    foreigner = browser.new_context(viewport=viewport, locale=other).new_page()
    foreigner.goto(f"{asgi_server}/demo/?site={other_shop.widget_key}")
    foreigner.click("#livechat-launcher")
    foreign_widget = foreigner.frame_locator("#livechat-frame")
    foreign_widget.locator("#lc-input").fill(LONG_QUESTION[other])
    foreign_widget.locator("#lc-input").press("Enter")

    # Both rows arrive live in Mine, in the operator's language.
    expect(console.locator("#tab-list .row")).to_have_count(2)
    long_row = console.locator("#tab-list .row", has_text=LONG_QUESTION[other][:40])
    expect(long_row).to_have_count(1)
    list_box = console.locator("#tab-list").bounding_box()
    for part in (".row-bottom", ".row-meta", ".row-top"):
        box = long_row.locator(part).bounding_box()
        assert box["x"] + box["width"] <= list_box["x"] + list_box["width"] + 1, part
    row = console.locator("#tab-list .row", has_text=QUESTION[language])
    expect(row).to_contain_text(QUESTION[language])
    console.screenshot(path=SCREENS / f"console-mine-{language}-{size}.png")
    check_screen(console, "Mine with a live row")

    row.locator(".row-link").click()
    expect(console.locator("#connect-dialog")).to_have_text(CONNECT[language])
    check_screen(console, "the dialog before connecting")
    console.click("#connect-dialog")
    # An arrow on a phone, a word on a desktop: the same name for a screen reader.
    expect(console.locator("#composer-send")).to_have_accessible_name(SEND[language])
    console.locator("#composer-text").fill(ANSWER[language])
    console.locator("#composer-text").press("Enter")
    expect(console.locator("#transcript .msg").last).to_contain_text(ANSWER[language])

    # The visitor gets the answer; his message shows as read.
    expect(widget.locator(".lc-msg-operator").last).to_contain_text(ANSWER[language])
    expect(widget.locator(".lc-msg-visitor .lc-read")).to_be_visible()
    widget.locator("#lc-input").fill("👍")
    check_screen(visitor, "the widget", root="html", frame=widget)
    visitor.screenshot(path=SCREENS / f"widget-{language}-{size}.png")

    console.screenshot(path=SCREENS / f"console-dialog-{language}-{size}.png")
    check_screen(console, "the connected dialog")

    # The visitor card: a side panel on a desktop, a sheet on a phone, behind its toggle.
    card = console.locator("#visitor-card")
    if card.is_hidden():
        console.click("#card-toggle")
    expect(card).to_be_visible()
    check_screen(console, "the visitor card")
    console.screenshot(path=SCREENS / f"console-card-{language}-{size}.png")
    if phone:
        console.keyboard.press("Escape")
        expect(card).to_be_hidden()

    console.locator(".dialog-menu > summary").click()
    menu = console.locator(".dialog-menu .menu")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
    check_screen(console, "the dialog menu")
    console.screenshot(path=SCREENS / f"console-menu-{language}-{size}.png")
