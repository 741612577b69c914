"""A visitor rates his dialog after the operator ends it, changes his rating, and the
operator sees it live in the dialog's header and the visitor card; in English on a desktop
with stars, in Russian on a 390 px phone with thumbs. (When the card shows at all:
test_rating_card_when_seen.py.)"""

import pytest
from helpers import DESKTOP, PHONE, open_console, open_widget, shop_with, watch_errors
from playwright.sync_api import expect

from satisfaction.models import Rating, RatingSettings

pytestmark = pytest.mark.browser


def talk_and_end(base_url, console, widget, text, answer):
    """The visitor writes, the operator connects from Mine, answers and ends the dialog."""
    console.goto(f"{base_url}/console/")
    widget.locator("#lc-input").fill(text)
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor.lc-pending")).to_have_count(0)
    row = console.locator("#tab-list .row").first
    expect(row).to_contain_text(text)
    row.click()
    console.click("#connect-dialog")
    console.fill("#composer-text", answer)
    console.press("#composer-text", "Enter")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text(answer)
    console.click(".dialog-menu summary")
    console.click("#end-dialog")
    expect(console.locator("#dialog-rating")).to_have_count(1)


def test_stars_rated_then_changed_seen_live_in_english(
    asgi_server, browser, screenshots, password, log_in
):
    site, _ = shop_with(password, "Stars shop", "Stars shop", "stars-key", language="en")
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP, language="en")
    visitor, widget = open_widget(browser, asgi_server, site, viewport=DESKTOP, language="en")
    problems = watch_errors(console, visitor)
    talk_and_end(asgi_server, console, widget, "Do you deliver on Sunday?", "Yes, until 6 pm.")

    card = widget.locator(".lc-rating")
    expect(card).to_be_visible()
    expect(card.locator(".lc-star")).to_have_count(5)
    expect(card.locator(".lc-rating-send")).to_be_disabled()
    # Keyboard: the first star takes focus, arrows move the choice.
    card.locator('.lc-star[data-score="3"]').click()
    card.locator('.lc-star[data-score="3"]').press("ArrowRight")
    expect(card.locator('.lc-star[aria-checked="true"]')).to_have_attribute("data-score", "4")
    card.locator(".lc-rating-comment").fill("Quick answer <b>thanks</b>")
    visitor.screenshot(path=screenshots / "rating-en-desktop-1-widget-card.png")
    card.locator(".lc-rating-send").click()
    expect(card.locator(".lc-rating-thanks")).to_be_visible()
    expect(card.locator(".lc-rating-summary")).to_have_text("You rated 4 of 5.")

    header = console.locator("#dialog-rating")
    expect(header.locator(".rating")).to_have_attribute("data-score", "4")
    expect(console.locator("#card-rating")).to_contain_text("Quick answer <b>thanks</b>")
    console.screenshot(path=screenshots / "rating-en-desktop-2-console-live.png")

    card.locator(".lc-rating-change").click()
    card.locator('.lc-star[data-score="2"]').click()
    card.locator(".lc-rating-comment").fill("On second thought, slow.")
    card.locator(".lc-rating-send").click()
    expect(card.locator(".lc-rating-summary")).to_have_text("You rated 2 of 5.")
    expect(header.locator(".rating")).to_have_attribute("data-score", "2")
    expect(header.locator(".rating")).to_have_class("rating rating-bad rating-compact")
    expect(console.locator("#card-rating")).to_contain_text("On second thought, slow.")
    visitor.screenshot(path=screenshots / "rating-en-desktop-3-widget-changed.png")
    console.click("#card-toggle")
    console.screenshot(path=screenshots / "rating-en-desktop-4-console-card.png")

    rating = Rating.objects.get()
    assert (rating.score, rating.good, rating.comment) == (2, False, "On second thought, slow.")

    # A sent card does not come back after a reload.
    visitor.reload()
    if not visitor.locator("#livechat-frame").is_visible():
        visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator(".lc-msg-operator")).to_have_count(1)
    expect(widget.locator(".lc-rating")).to_have_count(0)

    # History: the column and the filter.
    console.goto(f"{asgi_server}/console/history/?rating=bad")
    expect(console.locator(".h-rating .rating")).to_have_count(1)
    console.screenshot(path=screenshots / "rating-en-desktop-5-history.png")
    console.goto(f"{asgi_server}/console/history/?rating=good")
    expect(console.locator("#history-empty")).to_be_visible()
    assert problems == []


def test_thumbs_in_russian_on_a_phone_skip_and_reload(
    asgi_server, browser, screenshots, password, log_in
):
    site, _ = shop_with(password, "Блог", "Блог", "thumbs-key", language="ru", site_language="ru")
    RatingSettings.objects.create(site=site, scale="thumbs")
    console = open_console(browser, asgi_server, log_in, "vera", viewport=PHONE, language="ru")
    visitor, widget = open_widget(browser, asgi_server, site, viewport=PHONE, language="ru")
    problems = watch_errors(console, visitor)
    talk_and_end(asgi_server, console, widget, "Можно перепечатать статью?", "Да, со ссылкой.")

    card = widget.locator(".lc-rating")
    expect(card).to_be_visible()
    expect(card.locator(".lc-thumb")).to_have_count(2)
    expect(card.locator(".lc-rating-title")).to_have_text("Как прошёл диалог?")
    visitor.screenshot(path=screenshots / "rating-ru-phone-1-widget-card.png")

    card.locator('.lc-thumb[data-score="5"]').click()
    card.locator(".lc-rating-comment").fill("Спасибо!")
    card.locator(".lc-rating-send").click()
    expect(card.locator(".lc-rating-thanks")).to_have_text("Спасибо за оценку!")
    visitor.screenshot(path=screenshots / "rating-ru-phone-2-widget-thanks.png")
    header = console.locator("#dialog-rating .rating")
    expect(header).to_have_attribute("data-score", "5")
    expect(header).to_have_class("rating rating-good rating-compact")
    expect(header.locator("svg.thumb:not(.thumb-down)")).to_have_count(1)
    console.screenshot(path=screenshots / "rating-ru-phone-3-console-live.png")
    assert Rating.objects.get().scale == "thumbs"

    # A second dialog, skipped: its card does not come back.
    talk_and_end(asgi_server, console, widget, "А ещё вопрос", "Слушаю.")
    # The first card stays as it was ("Thank you"); the new one asks about the new dialog.
    expect(widget.locator(".lc-rating")).to_have_count(2)
    second = widget.locator(".lc-rating").last
    expect(second.locator(".lc-rating-form")).to_be_visible()
    second.locator(".lc-rating-skip").click()
    expect(widget.locator(".lc-rating")).to_have_count(1)
    visitor.reload()
    if not visitor.locator("#livechat-frame").is_visible():
        visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator(".lc-msg-operator")).to_have_count(2)
    expect(widget.locator(".lc-rating")).to_have_count(0)
    console.goto(f"{asgi_server}/console/history/")
    console.screenshot(path=screenshots / "rating-ru-phone-4-history.png", full_page=True)
    assert problems == []
