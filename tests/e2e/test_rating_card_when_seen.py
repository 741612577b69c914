"""The rating card shows only to a visitor who saw his dialog end: the `dialog` frame with
`closed` arriving live while the chat panel is open. Not for a dialog that ended while the
panel was closed (even once he opens it), and not on a later page load."""

import re

import pytest
from helpers import DESKTOP, open_console, open_widget, shop_with
from playwright.sync_api import expect
from test_rating_in_browser import talk_and_end, watch_errors

from chat.models import Dialog
from satisfaction.models import Rating

pytestmark = pytest.mark.browser


def reopen(visitor):
    visitor.reload()
    if not visitor.locator("#livechat-frame").is_visible():
        visitor.click("#livechat-launcher")
    return visitor.frame_locator("#livechat-frame")


def test_the_card_shows_only_for_an_end_the_visitor_saw(
    asgi_server, browser, screenshots, password, log_in
):
    site, _ = shop_with(password, "Seen shop", "Seen shop", "seen-key", language="en")
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP, language="en")
    visitor, widget = open_widget(browser, asgi_server, site, viewport=DESKTOP, language="en")
    problems = watch_errors(console, visitor)
    frame = visitor.locator("#livechat-frame")

    # 1. He closes the panel before the operator ends the dialog: no card, even once he
    #    opens the panel again and reads the end.
    console.goto(f"{asgi_server}/console/")
    widget.locator("#lc-input").fill("Is it in stock?")
    widget.locator("#lc-input").press("Enter")
    console.locator("#tab-list .row").first.click()
    console.click("#connect-dialog")
    console.fill("#composer-text", "Yes, three left.")
    console.press("#composer-text", "Enter")
    expect(widget.locator(".lc-msg-operator")).to_have_count(1)
    visitor.click("#livechat-launcher")  # the panel closes; the socket stays
    expect(frame).to_be_hidden()
    console.click(".dialog-menu summary")
    console.click("#end-dialog")
    first = Dialog.objects.get()
    # The widget handles the closed frame (its header's hint says so) before the rating
    # script hears it: past this, a card would be there.
    expect(widget.locator("#lc-hint")).to_have_class(re.compile(r"\blc-hint-ended\b"))
    visitor.click("#livechat-launcher")
    expect(frame).to_be_visible()
    expect(widget.locator(".lc-rating")).to_have_count(0)

    # 2. A second dialog ends while he looks: its card, and only its.
    talk_and_end(asgi_server, console, widget, "And in blue?", "Blue too.")
    cards = widget.locator(".lc-rating")
    expect(cards).to_have_count(1)  # frames come in order: the first end came before
    visitor.screenshot(path=screenshots / "rating-seen-en-desktop-card.png")

    # 3. Neither sent nor skipped, the card does not come back on a later page load.
    widget = reopen(visitor)
    expect(widget.locator(".lc-msg-operator")).to_have_count(2)
    expect(widget.locator(".lc-msg").last).to_be_visible()
    expect(widget.locator(".lc-rating")).to_have_count(0)

    # 4. A third dialog seen ending is rated: the rating is the third dialog's.
    talk_and_end(asgi_server, console, widget, "Gift wrap?", "Of course.")
    card = widget.locator(".lc-rating")
    expect(card).to_have_count(1)
    card.locator('.lc-star[data-score="5"]').click()
    card.locator(".lc-rating-send").click()
    expect(card.locator(".lc-rating-thanks")).to_be_visible()
    rating = Rating.objects.get()
    assert rating.dialog_id == Dialog.objects.exclude(pk=first.pk).order_by("-id").first().id
    assert problems == []
