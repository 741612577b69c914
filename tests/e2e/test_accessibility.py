"""axe-core (bundled by axe-playwright-python) in a real Chromium finds no serious or
critical accessibility violation on the operator's pages (login, Mine, an open dialog with
the composer, the shortcuts help, History, Leads) nor in the visitor's widget (the open
chat with "introduce yourself", the offline form), in English and Russian, on a desktop
and a phone."""

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from helpers import DESKTOP, PHONE, dialog_of, open_widget, shop_with
from playwright.sync_api import expect

from chat.models import Dialog
from leads.models import Lead
from operators.models import Operator

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "keys"
BLOCKING = ("serious", "critical")


def blocking_violations(target):
    """axe's serious and critical findings on a page or a frame, one readable line each."""
    results = Axe().run(target)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(
            f"{node['target']} {node['any'][0].get('data') if node.get('any') else ''}"
            for node in violation["nodes"][:5]
        )
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.fixture
def shop(password, language):
    site, (vera,) = shop_with(
        password, "A11y shop", "Chair shop", "a11y-key", language=language,
        last_dialog_number=3, greeting="Hello! Ask us.",
    )  # fmt: skip
    now = timezone.now()
    for number, (animal, text, status) in enumerate(
        [
            ("blue-fox", "Is the grey chair in stock?", Dialog.Status.ACTIVE),
            ("red-owl", "Do you deliver to Kazan?", Dialog.Status.ACTIVE),
            ("green-cat", "Thanks, bye", Dialog.Status.CLOSED),
        ],
        start=1,
    ):
        dialog_of(
            site, vera, number, animal, text, status, unread_count=1,
            last_message_at=now - timedelta(minutes=number),
            closed_at=now if status == Dialog.Status.CLOSED else None,
        )  # fmt: skip
    Lead.objects.create(
        account=site.account, site=site, source=Lead.Source.OFFLINE_FORM, name="Ivan",
        email="ivan@example.com", message="Call me about the sofa",
    )  # fmt: skip
    return site


def check(target, where, failures):
    # Colours are judged once the fade-ins are over, as a person sees them.
    target.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    failures.extend(f"{where}: {line}" for line in blocking_violations(target))


def widget_frame(page):
    return page.locator("#livechat-frame").element_handle().content_frame()


@pytest.mark.parametrize(
    "language,viewport",
    [("en", DESKTOP), ("ru", PHONE), ("ru", DESKTOP), ("en", PHONE)],
    ids=["en-desktop", "ru-phone", "ru-desktop", "en-phone"],
)
def test_console_and_widget_have_no_serious_violations(
    asgi_server, browser, shop, log_in, language, viewport
):
    size = "phone" if viewport is PHONE else "desktop"
    SCREENS.mkdir(parents=True, exist_ok=True)
    failures = []
    console = browser.new_context(viewport=viewport, locale=language).new_page()

    console.goto(f"{asgi_server}/accounts/login/")
    expect(console.locator("html")).to_have_attribute("lang", language)
    check(console, "login", failures)

    log_in(console, asgi_server, "vera")
    expect(console.locator("#tab-list .row")).to_have_count(2)
    check(console, "mine", failures)

    console.locator("#tab-list .row-link").first.click()
    expect(console.locator("#composer-text")).to_be_visible()
    check(console, "dialog", failures)

    console.click("details.me summary")
    console.click("#shortcuts-button")
    expect(console.locator("#shortcuts-help")).to_be_visible()
    check(console, "shortcuts help", failures)
    console.keyboard.press("Escape")

    console.locator('.tabs a[aria-keyshortcuts="4"]').click()
    expect(console.locator("html")).to_have_attribute("lang", language)
    check(console, "history", failures)
    console.locator('.tabs a[aria-keyshortcuts="5"]').click()
    expect(console.locator("body")).to_contain_text("Ivan")
    check(console, "leads", failures)

    # The widget while Vera is online: the chat, then "introduce yourself" after a message.
    visitor, widget = open_widget(browser, asgi_server, shop, viewport=viewport, language=language)
    expect(widget.locator("#lc-input")).to_be_visible()
    check(widget_frame(visitor), "widget chat", failures)
    widget.locator("#lc-input").fill("Hello, is anyone there?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator("#lc-introduce")).to_be_visible()
    check(widget_frame(visitor), "widget introduce", failures)
    visitor.screenshot(path=SCREENS / f"a11y-widget-introduce-{language}-{size}.png")

    # Nobody online: a new visitor gets the offline form.
    Operator.objects.filter(user__username="vera").update(status="offline")
    latecomer, offline = open_widget(
        browser, asgi_server, shop, viewport=viewport, language=language
    )
    expect(offline.locator("#lc-offline-form")).to_be_visible()
    check(widget_frame(latecomer), "widget offline form", failures)
    latecomer.screenshot(path=SCREENS / f"a11y-widget-offline-{language}-{size}.png")

    for page in (console, visitor, latecomer):
        page.context.close()
    assert not failures, "\n".join(failures)
