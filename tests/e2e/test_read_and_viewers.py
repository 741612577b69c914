"""Read state and who is here, in real browsers: the visitor sees "Read" once an operator
opened his dialog; two operators on the same dialog see each other and each other's typing."""

import pytest
from helpers import DESKTOP, PHONE, open_console, open_widget, shop_with
from playwright.sync_api import expect

from chat.models import Dialog

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {"read": "Read", "viewing": "is viewing", "typing": "Anna is typing…"},
    "ru": {"read": "Прочитано", "viewing": "просматривает", "typing": "Anna печатает…"},
}


@pytest.fixture
def shop(password, language):
    site, _operators = shop_with(
        password, "Read shop", "Read shop", "read-key", [("anna", "Anna"), ("boris", "Boris")],
        language=language, site_language=language, operator_fields={"can_see_others": True},
    )  # fmt: skip
    return site


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("ru", PHONE)])
def test_read_and_who_is_here(asgi_server, browser, screenshots, shop, log_in, language, viewport):
    texts = TEXTS[language]
    shots = screenshots.parent / "screens" / "read" / language
    shots.mkdir(parents=True, exist_ok=True)
    # Anna is online (her console is open), so the widget offers the chat, not the form.
    anna = open_console(browser, asgi_server, log_in, "anna", viewport=viewport, language=language)
    visitor, widget = open_widget(browser, asgi_server, shop, viewport=viewport, language=language)
    widget.locator("#lc-input").fill("Is the blue sofa in stock?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)
    expect(widget.locator(".lc-read")).to_have_count(0)  # nobody has looked yet
    dialog = Dialog.objects.get()
    assert dialog.unread_count == 1

    # Anna opens the dialog: the visitor sees "Read" under his message.
    expect(anna.locator(f'#tab-list .row[data-dialog="{dialog.id}"] .badge')).to_have_text("1")
    anna.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    expect(widget.locator(".lc-msg-visitor .lc-read")).to_have_text(f"✓✓ {texts['read']}")
    expect(anna.locator(f'#tab-list .row[data-dialog="{dialog.id}"] .badge')).to_have_count(0)
    visitor.screenshot(path=shots / "1-widget-read.png")
    dialog.refresh_from_db()
    assert dialog.unread_count == 0 and dialog.read_up_to > 0
    anna.click("#connect-dialog")
    expect(anna.locator("#composer-text")).to_be_visible()

    # A second message is not read until she sees it; she has the page open, so it is.
    widget.locator("#lc-input").fill("And in green?")
    widget.locator("#lc-input").press("Enter")
    expect(anna.locator(".msg-visitor").last).to_contain_text("in green")
    expect(widget.locator(".lc-msg-visitor").last.locator(".lc-read")).to_have_count(1)
    expect(widget.locator(".lc-read")).to_have_count(1)

    # Boris opens the same dialog: each sees the other there.
    boris = open_console(
        browser, asgi_server, log_in, "boris", viewport=viewport, language=language
    )
    boris.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    expect(anna.locator("#viewers")).to_contain_text(f"Boris {texts['viewing']}")
    expect(boris.locator("#viewers")).to_contain_text(f"Anna {texts['viewing']}")

    # Anna types: Boris sees who is typing, so he does not answer too.
    anna.locator("#composer-text").press_sequentially("We have", delay=30)
    expect(boris.locator("#typing")).to_have_text(texts["typing"])
    anna.screenshot(path=shots / "2-anna-sees-boris.png")
    boris.screenshot(path=shots / "3-boris-sees-anna-typing.png")

    # Boris closes his tab: Anna's page no longer lists him.
    boris.context.close()
    expect(anna.locator("#viewers")).to_be_hidden()
    anna.screenshot(path=shots / "4-anna-alone.png")
    anna.context.close()
    visitor.context.close()
