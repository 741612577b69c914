"""Read state and who is here, in real browsers: the visitor sees "Read" once an operator
opened his dialog; two operators on the same dialog see each other and each other's typing."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.models import Dialog, Site
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TEXTS = {
    "en": {"read": "Read", "viewing": "is viewing", "typing": "Anna is typing…"},
    "ru": {"read": "Прочитано", "viewing": "просматривает", "typing": "Anna печатает…"},
}


@pytest.fixture
def shop(password, request):
    language = request.node.callspec.params["language"]
    account = Account.objects.create(name="Read shop")
    site = Site.objects.create(
        account=account, name="Read shop", widget_key="read-key", language=language
    )
    for username, name in (("anna", "Anna"), ("boris", "Boris")):
        user = get_user_model().objects.create_user(username, password=password)
        operator = Operator.objects.create(
            user=user, account=account, display_name=name, language=language, can_see_others=True
        )
        site.operators.add(operator)
    return site


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("ru", PHONE)])
def test_read_and_who_is_here(asgi_server, browser, screenshots, shop, log_in, language, viewport):
    texts = TEXTS[language]
    shots = screenshots.parent / "screens" / "read" / language
    shots.mkdir(parents=True, exist_ok=True)
    # Anna is online (her console is open), so the widget offers the chat, not the form.
    anna_ctx = browser.new_context(viewport=viewport, locale=language)
    anna = anna_ctx.new_page()
    log_in(anna, asgi_server, "anna")
    visitor_ctx = browser.new_context(viewport=viewport, locale=language)
    visitor = visitor_ctx.new_page()
    visitor.goto(f"{asgi_server}/demo/?site={shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
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
    boris_ctx = browser.new_context(viewport=viewport, locale=language)
    boris = boris_ctx.new_page()
    log_in(boris, asgi_server, "boris")
    boris.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    expect(anna.locator("#viewers")).to_contain_text(f"Boris {texts['viewing']}")
    expect(boris.locator("#viewers")).to_contain_text(f"Anna {texts['viewing']}")

    # Anna types: Boris sees who is typing, so he does not answer too.
    anna.locator("#composer-text").press_sequentially("We have", delay=30)
    expect(boris.locator("#typing")).to_have_text(texts["typing"])
    anna.screenshot(path=shots / "2-anna-sees-boris.png")
    boris.screenshot(path=shots / "3-boris-sees-anna-typing.png")

    # Boris closes his tab: Anna's page no longer lists him.
    boris_ctx.close()
    expect(anna.locator("#viewers")).to_be_hidden()
    anna.screenshot(path=shots / "4-anna-alone.png")
    anna_ctx.close()
    visitor_ctx.close()
