"""Canned replies in a real Chromium, in English and Russian, on a desktop and a phone:
"/" in the composer opens the list, typing filters it, the keyboard and a tap insert the
reply with its placeholders filled, nothing is sent until the operator sends it."""

import time
from pathlib import Path

import pytest
from helpers import DESKTOP, PHONE, dialog_of, open_console, shop_with
from playwright.sync_api import expect

from chat.models import Message
from operators.models import Account
from replies.models import CannedReply

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "replies"

REPLIES = [
    ("hello", "Greeting", "Hello, {visitor_name}! I'm {operator_name} from {site_name}."),
    ("delivery", "Delivery times", "Orders arrive in 2–4 days; tracking number by email."),
    ("bye", "Goodbye", "Dialog #{dialog_number} is saved. Your order {order_id} is on its way."),
    ("привет", "Приветствие", "Здравствуйте, {visitor_name}! Меня зовут {operator_name}."),
    ("доставка", "Сроки доставки", "Заказ приходит за 2–4 дня, трек-номер придёт на почту."),
]

# What each language shows: the nickname of the anonymous visitor and the page's words.
WORDS = {
    "en": {"visitor": "Blue Fox", "empty": "No reply matches.", "label": "Canned replies"},
    "ru": {"visitor": "Синий лис", "empty": "Подходящих ответов нет.", "label": "Шаблоны ответов"},
}


@pytest.fixture
def dialog(password, language):
    site, (irina,) = shop_with(
        password, "E2E replies", "Gadget shop", "e2e-replies", [("irina", "Irina")],
        language=language,
    )  # fmt: skip
    for position, (shortcut, title, text) in enumerate(REPLIES):
        CannedReply.objects.create(
            account=site.account, shortcut=shortcut, title=title, text=text, position=position
        )
    other = Account.objects.create(name="Someone else")
    CannedReply.objects.create(account=other, shortcut="hellothere", title="Not ours", text="x")
    return dialog_of(site, irina, 7, "blue-fox")


def wait_until(condition, seconds=10):
    """The count of uses is posted in the background: wait for it, then fail plainly."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize(
    "language,viewport",
    [("en", DESKTOP), ("en", PHONE), ("ru", PHONE), ("ru", DESKTOP)],
    ids=["en-desktop", "en-phone", "ru-phone", "ru-desktop"],
)
def test_slash_opens_filters_and_inserts_canned_replies(
    asgi_server, browser, dialog, log_in, language, viewport
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    name = f"{language}-{'phone' if viewport is PHONE else 'desktop'}"
    words = WORDS[language]
    context = browser.new_context(viewport=viewport, has_touch=viewport is PHONE)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, asgi_server, "irina")
    page.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    composer = page.locator("#composer-text")
    popup = page.locator("#replies-popup")
    listbox = page.get_by_role("listbox", name=words["label"])
    options = listbox.get_by_role("option")

    # "/" opens the account's replies (not another account's), the first one highlighted.
    composer.press_sequentially("/")
    expect(listbox).to_be_visible()
    expect(options).to_have_count(len(REPLIES))
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(composer).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    # The preview already shows the filled placeholders.
    expect(options.first).to_contain_text(f"Hello, {words['visitor']}! I'm Irina from Gadget shop.")
    box = popup.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert box["y"] >= 0
    page.screenshot(path=SCREENS / f"{name}-popup.png")

    # Typing filters by shortcut, title and text, whatever the case, Russian too.
    composer.press_sequentially("ДОСТ" if language == "ru" else "TRACKING")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("/доставка" if language == "ru" else "/delivery")
    page.screenshot(path=SCREENS / f"{name}-filtered.png")
    composer.press_sequentially("zzz")
    expect(options).to_have_count(0)
    expect(popup).to_contain_text(words["empty"])
    page.screenshot(path=SCREENS / f"{name}-no-match.png")

    # Escape closes the list; the text stays as typed.
    composer.fill("")
    composer.press_sequentially("/")
    expect(listbox).to_be_visible()
    composer.press("Escape")
    expect(popup).to_be_hidden()
    expect(composer).to_have_value("/")

    # Arrow keys move, Enter inserts the filled text and sends nothing.
    composer.fill("")
    composer.press_sequentially("/b")
    expect(options.first).to_contain_text("/bye")
    composer.press("ArrowDown")
    composer.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    composer.press("Enter")
    expect(popup).to_be_hidden()
    expect(composer).to_have_value("Dialog #7 is saved. Your order {order_id} is on its way.")
    expect(page.locator("#transcript .msg-operator")).to_have_count(0)

    # Tab inserts too.
    composer.fill("")
    composer.press_sequentially("/привет" if language == "ru" else "/hel")
    composer.press("Tab")
    expect(composer).to_have_value(
        f"Здравствуйте, {words['visitor']}! Меня зовут Irina."
        if language == "ru"
        else f"Hello, {words['visitor']}! I'm Irina from Gadget shop."
    )
    expect(composer).to_be_focused()

    # A click (a tap on the phone) on the second option inserts it; then Enter sends it.
    composer.fill("")
    composer.press_sequentially("/")
    composer.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    if viewport is PHONE:
        options.nth(1).tap()
    else:
        options.nth(1).click()
    expect(composer).to_have_value("Orders arrive in 2–4 days; tracking number by email.")
    page.screenshot(path=SCREENS / f"{name}-inserted.png")
    composer.press("Enter")
    expect(page.locator("#transcript .msg-operator:not(.msg-pending)").last).to_contain_text(
        "Orders arrive in 2–4 days"
    )
    assert Message.objects.filter(dialog=dialog, author_kind="operator").count() == 1

    # Each insertion was counted: the most used replies come first next time.
    assert wait_until(
        lambda: dict(CannedReply.objects.values_list("shortcut", "usage_count"))
        == {"hello": 0 if language == "ru" else 1, "delivery": 1, "bye": 1,
            "привет": 1 if language == "ru" else 0, "доставка": 0, "hellothere": 0}
    ), dict(CannedReply.objects.values_list("shortcut", "usage_count"))  # fmt: skip
    assert problems == []
    context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_replies_page_adds_edits_and_deletes_on_a_phone(
    asgi_server, browser, dialog, log_in, language
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = open_console(browser, asgi_server, log_in, "irina", viewport=PHONE, has_touch=True)
    page.click(".me summary")
    page.click("#replies-link")
    expect(page.locator("#reply-list .reply-item")).to_have_count(len(REPLIES))
    expect(page.locator("h1")).to_have_text(WORDS[language]["label"])
    page.screenshot(path=SCREENS / f"{language}-phone-page.png", full_page=True)

    page.click("#reply-add")
    page.fill("#id_shortcut", "/hello")  # taken: the form says so
    page.fill("#id_title", "Again")
    page.fill("#id_text", "Hi {visitor_name}")
    page.click("#reply-save")
    expect(page.locator("#id_shortcut-error")).to_be_visible()
    page.screenshot(path=SCREENS / f"{language}-phone-form-error.png", full_page=True)
    page.fill("#id_shortcut", "thanks")
    page.click("#reply-save")
    expect(page.locator(".reply-item", has_text="/thanks")).to_be_visible()
    assert CannedReply.objects.filter(account=dialog.account, shortcut="thanks").exists()

    page.locator(".reply-item", has_text="/thanks").get_by_role("link").click()
    page.fill("#id_text", "Thank you, {visitor_name}!")
    page.click("#reply-save")
    expect(page.locator(".reply-item", has_text="/thanks")).to_contain_text(
        "Thank you, {visitor_name}!"
    )

    page.locator(".reply-item", has_text="/thanks").get_by_role("button").click()
    expect(page.locator(".reply-item", has_text="/thanks")).to_have_count(0)
    assert not CannedReply.objects.filter(shortcut="thanks").exists()
    page.screenshot(path=SCREENS / f"{language}-phone-page-after.png", full_page=True)
    page.context.close()
