"""Proactive invitations in a real Chromium on the stack `make run` serves: a rule fires on
the right page after its time, once per visit, as a bubble over the closed launcher; the
visitor's answer starts a dialog that holds the invitation as its first message; closing
the bubble ends invitations for the visit; the console's Invitations page in English on a
desktop and in Russian on a 390 px phone."""

import time

import pytest
from helpers import DESKTOP, PHONE, open_console, shop_with, watch_errors
from playwright.sync_api import expect

from chat.models import Message
from engage.rule_models import InvitationEvent, InvitationRule

pytestmark = pytest.mark.browser

HOSTILE = "<b>Delivery</b> & <img src=x onerror=alert(1)>"


def shop_page(browser, base_url, site, viewport, language=None):
    """The demo shop with the site's widget, its launcher closed."""
    page = browser.new_context(viewport=viewport, locale=language).new_page()
    page.goto(f"{base_url}/demo/?site={site.widget_key}")
    expect(page.locator("#livechat-launcher")).to_be_visible()
    return page


def test_a_rule_fires_on_its_page_after_its_time_once_per_visit_and_the_answer_holds_it(
    asgi_server, browser, screenshots, password, log_in
):
    site, (vera,) = shop_with(
        password,
        "Invite shop",
        "Invite shop",
        "e2e-invite-key",
        operators=(("vera", "Vera"),),
        operator_fields={"can_manage_site_settings": True},
    )
    rule = InvitationRule.objects.create(
        site=site,
        name="Delivery",
        url_match="contains",
        url_pattern="view=delivery",
        seconds_on_page=3,
        operator=vera,
        text="Hi! I'm {operator_name}. " + HOSTILE,
    )
    text = "Hi! I'm Vera. " + HOSTILE
    # Vera's console is open: she is online, the widget offers the chat (not the offline form).
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP)
    visitor = shop_page(browser, asgi_server, site, DESKTOP)
    problems = watch_errors(visitor)
    bubble = visitor.locator("#livechat-bubble")

    visitor.wait_for_timeout(4500)  # long enough on the home page: not its page
    expect(bubble).to_have_count(0)

    visitor.click("button[data-view=delivery]")  # the demo's Delivery page (pushState)
    clicked = time.monotonic()
    visitor.wait_for_timeout(1500)
    expect(bubble).to_have_count(0)  # not before its 3 seconds on the page
    expect(bubble).to_be_visible()
    assert time.monotonic() - clicked >= 3
    expect(bubble).to_contain_text(text)  # as text: the markup is not markup
    expect(bubble).to_contain_text("Vera")
    assert visitor.locator("#livechat-bubble img, #livechat-bubble b").count() == 0
    visitor.wait_for_timeout(300)
    visitor.screenshot(path=screenshots / "invitation-bubble-desktop-en.png")
    assert list(InvitationEvent.objects.values_list("kind", flat=True)) == ["shown"]

    # Another page load in the same visit: not shown again, still there to answer.
    visitor.reload()
    visitor.click("button[data-view=delivery]")
    visitor.wait_for_timeout(5000)
    expect(bubble).to_have_count(0)
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator(".lc-invitation")).to_contain_text(text)

    widget.locator("#lc-input").fill("To Kazan, please")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-invitation")).to_have_count(0)  # the stored one took its place
    stored = widget.locator(".lc-msg-operator[data-id]")
    expect(stored).to_have_count(1)
    expect(stored).to_contain_text(text)
    expect(widget.locator(".lc-msg-visitor[data-id]")).to_contain_text("To Kazan")
    in_order = widget.locator(".lc-msg[data-id]")
    expect(in_order.first).to_contain_text(text)  # the invitation first, then the answer
    expect(in_order.nth(1)).to_contain_text("To Kazan")
    visitor.wait_for_timeout(300)
    visitor.screenshot(path=screenshots / "invitation-answered-desktop-en.png")

    messages = list(
        Message.objects.order_by("id").values_list("dialog_id", "author_kind", "operator", "text")
    )
    assert [m[1:] for m in messages] == [
        ("operator", vera.id, text),
        ("visitor", None, "To Kazan, please"),
    ]
    assert sorted(InvitationEvent.objects.values_list("kind", flat=True)) == ["answered", "shown"]

    # Vera reads the dialog: the invitation opens it, signed by her.
    console.goto(f"{asgi_server}/console/dialogs/{messages[0][0]}/")
    first = console.locator("#transcript .msg").first
    expect(first).to_have_class("msg msg-operator")
    expect(first).to_contain_text(text)
    expect(console.locator("#transcript .msg").nth(1)).to_contain_text("To Kazan")
    console.context.close()
    assert rule.events.count() == 2
    assert problems == []


def test_closing_the_bubble_ends_invitations_for_the_visit_in_russian_on_a_phone(
    asgi_server, browser, screenshots, password
):
    site, (ivan,) = shop_with(
        password, "Магазин", "Магазин", "e2e-invite-ru", operators=(("ivan", "Иван"),),
        site_language="ru",
    )  # fmt: skip
    InvitationRule.objects.create(
        site=site,
        name="Приветствие",
        seconds_on_page=1,
        text="Здравствуйте! Чем помочь на {site_name}?",
        frequency="visitor",
    )
    InvitationRule.objects.create(
        site=site, name="Второе", seconds_on_page=2, priority=-1, text="Ещё вопрос?"
    )
    visitor = shop_page(browser, asgi_server, site, PHONE, language="ru-RU")
    problems = watch_errors(visitor)
    bubble = visitor.locator("#livechat-bubble")
    expect(bubble).to_contain_text("Здравствуйте! Чем помочь на Магазин?")
    box = bubble.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    visitor.wait_for_timeout(300)
    visitor.screenshot(path=screenshots / "invitation-bubble-390-ru.png")

    bubble.get_by_role("button", name="Закрыть приглашение").click()
    expect(bubble).to_have_count(0)
    visitor.wait_for_timeout(4000)  # the second rule matches too, but he said no
    expect(bubble).to_have_count(0)
    visitor.reload()
    expect(visitor.locator("#livechat-launcher")).to_be_visible()
    visitor.wait_for_timeout(4000)
    expect(bubble).to_have_count(0)
    kinds = list(InvitationEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["shown", "closed"]
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-messages")).to_be_visible()
    expect(widget.locator(".lc-invitation")).to_have_count(0)  # closed: not kept to answer
    assert problems == []


@pytest.mark.parametrize(
    "viewport, language, suffix",
    [(DESKTOP, "en", "desktop-en"), (PHONE, "ru", "390-ru")],
)
def test_the_invitations_page_and_form(
    asgi_server, browser, screenshots, password, log_in, viewport, language, suffix
):
    site, (vera,) = shop_with(
        password,
        "Pages shop",
        "Pages shop",
        f"e2e-pages-{language}",
        operators=(("vera", "Vera"),),
        operator_fields={"can_manage_site_settings": True},
        language=language,
    )
    InvitationRule.objects.create(
        site=site,
        name="Delivery question",
        url_match="glob",
        url_pattern="*/delivery/*",
        seconds_on_page=20,
        priority=10,
        operator=vera,
        text="Hi! I'm {operator_name}. Any questions about delivery?",
    )
    InvitationRule.objects.create(
        site=site, name="Returning visitor", visit_kind="returning", paused=True, text="Welcome!"
    )
    console = open_console(browser, asgi_server, log_in, "vera", viewport=viewport)
    problems = watch_errors(console)
    expect(console.locator("#invitations-link")).to_have_count(1)  # in the operator menu
    console.goto(asgi_server + console.locator("#invitations-link").get_attribute("href"))
    expect(console.locator("#rule-list .rule-item")).to_have_count(2)
    console.screenshot(path=screenshots / f"invitations-list-{suffix}.png", full_page=True)
    wide = console.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
        " > document.documentElement.clientWidth + 1).map(e => e.className || e.tagName)"
    )
    assert wide == []  # nothing sticks out sideways

    console.click("#rule-add")
    console.fill("#id_name", "")
    console.select_option("#id_url_match", "glob")
    console.fill("#id_text", "Order {dialog_number}")
    console.click("#rule-save")
    expect(console.locator("#rule-form-errors")).to_be_visible()
    expect(console.locator('[data-field="text"] .form-error')).to_contain_text("{dialog_number}")
    assert console.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    console.screenshot(path=screenshots / f"invitations-form-errors-{suffix}.png", full_page=True)
    assert InvitationRule.objects.count() == 2
    assert problems == []


def test_a_rule_may_open_the_chat_instead_of_a_bubble(asgi_server, browser, password):
    site, _ = shop_with(password, "Open shop", "Open shop", "e2e-invite-open")
    InvitationRule.objects.create(
        site=site, name="Open", seconds_on_page=1, display="open", text="Can we help you?"
    )
    visitor = shop_page(browser, asgi_server, site, DESKTOP)
    problems = watch_errors(visitor)
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator(".lc-invitation")).to_contain_text("Can we help you?")
    expect(visitor.locator("#livechat-frame")).to_be_visible()
    expect(visitor.locator("#livechat-launcher")).to_have_attribute("aria-expanded", "true")
    expect(visitor.locator("#livechat-bubble")).to_have_count(0)
    assert problems == []
