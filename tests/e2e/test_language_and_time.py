"""Languages and time zones in real browsers: a live row arrives in the operator's language
(the visitor's nickname, its status) and shows the same time as after a reload, in the
operator's time zone; the widget speaks its site's language (title, 24-hour times in
Russian)."""

import re
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation
from helpers import shop_with
from playwright.sync_api import expect

from chat.models import Dialog
from chat.visitors import animals
from operators.models import Operator

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CASES = {
    # The Russian operator chose Vladivostok in his profile; his browser is in London.
    "ru": {
        "profile_zone": "Asia/Vladivostok",
        "browser_zone": "Europe/London",
        "title": "Напишите нам",
        "new": "новый",
    },
    # The English operator left it to his browser, in New York.
    "en": {
        "profile_zone": "",
        "browser_zone": "America/New_York",
        "title": "Chat with us",
        "new": "new",
    },
}
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "i18n"


@pytest.fixture
def shop(password, request):
    language = request.node.callspec.params["language"]
    # Title and greeting left empty: the widget shows the defaults in its language.
    site, _ = shop_with(
        password, "Time shop", "Time shop", "time-key", (("ivan", "Ivan"),),
        language=language, site_language=language,
        operator_fields={"time_zone": CASES[language]["profile_zone"]},
    )  # fmt: skip
    return site


def local_time(when, zone: str) -> str:
    return when.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%H:%M")


@pytest.mark.parametrize(
    ("language", "viewport"), [("ru", DESKTOP), ("ru", PHONE), ("en", DESKTOP), ("en", PHONE)]
)
def test_live_rows_speak_the_operators_language_and_zone(
    asgi_server, browser, shop, log_in, language, viewport
):
    case = CASES[language]
    size = "phone" if viewport is PHONE else "desktop"
    shots = f"{SHOTS}/{language}-{size}"
    zone = case["profile_zone"] or case["browser_zone"]

    # The operator's browser says English and sits in another zone than his profile's.
    console_ctx = browser.new_context(
        viewport=viewport, locale="en-US", timezone_id=case["browser_zone"]
    )
    console = console_ctx.new_page()
    log_in(console, asgi_server, "ivan")
    expect(console.locator("#tab-empty")).to_be_visible()

    visitor_ctx = browser.new_context(
        viewport=viewport, locale=language, timezone_id=case["browser_zone"]
    )
    visitor = visitor_ctx.new_page()
    visitor.goto(f"{asgi_server}/demo/?site={shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-title")).to_have_text(case["title"])
    widget.locator("#lc-input").fill("Do you deliver on Sundays?")
    widget.locator("#lc-input").press("Enter")
    sent = widget.locator(".lc-msg-visitor:not(.lc-pending) .lc-meta")
    expect(sent).to_have_count(1)
    shown = sent.text_content()
    if language == "ru":
        assert re.fullmatch(r"\d{2}:\d{2}", shown), shown  # 24-hour, no AM/PM
    else:
        assert re.fullmatch(r"\d{1,2}:\d{2}\s?[AP]M", shown), shown
    visitor.screenshot(path=f"{shots}-widget.png")

    # The row arrives live, in the operator's language, at his local time.
    dialog = Dialog.objects.select_related("visitor").get()
    with translation.override(language):
        nickname = animals.nickname(dialog.visitor.animal)
    row = console.locator(f'#tab-list .row[data-dialog="{dialog.id}"]')
    expect(row.locator(".row-name")).to_have_text(nickname)
    expect(row.locator(".status-new")).to_have_text(case["new"])
    expected_time = local_time(dialog.last_message_at, zone)
    expect(row.locator(".row-time")).to_have_text(expected_time)
    console.screenshot(path=f"{shots}-console-live.png")

    # A reload renders it on the server: the same words, the same time.
    console.reload()
    expect(row.locator(".row-name")).to_have_text(nickname)
    expect(row.locator(".row-time")).to_have_text(expected_time)
    expect(console.locator('[data-count="mine"]')).to_have_text("1")

    # In the dialog, a live message shows the same time as after a reload.
    console.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    widget.locator("#lc-input").fill("Or on Saturdays?")
    widget.locator("#lc-input").press("Enter")
    live = console.locator(".msg-visitor").last
    expect(live).to_contain_text("Saturdays")
    live_time = live.locator(".msg-time").text_content()
    last = dialog.messages.order_by("-id").first()
    assert live_time == local_time(last.created_at, zone)
    console.reload()
    expect(console.locator(".msg-visitor").last.locator(".msg-time")).to_have_text(live_time)

    # The profile menu offers the time zone, the chosen one selected.
    console.locator("details.me summary").click()
    expect(console.locator("#time-zone-select")).to_have_value(case["profile_zone"])
    console.screenshot(path=f"{shots}-console-menu.png")
    console_ctx.close()
    visitor_ctx.close()


@pytest.mark.parametrize("language", ["en"])
def test_history_shows_the_browsers_zone_on_the_first_visit(
    asgi_server, browser, shop, log_in, language
):
    """Before console-time.js has set the tz cookie, the server renders History in UTC; the
    page still shows the operator's times in his browser's zone."""
    operator = Operator.objects.get(display_name="Ivan")
    operator.time_zone = ""
    operator.save(update_fields=["time_zone"])
    visitor = shop.visitors.create(animal="blue-fox")
    started = datetime(2026, 11, 20, 2, 5, tzinfo=UTC)  # 11:05 in Tokyo, 20 Nov
    Dialog.objects.create(
        account=shop.account, site=shop, visitor=visitor, number=1, status="closed",
        created_at=started, last_message_at=started, closed_at=started,
    )  # fmt: skip
    context = browser.new_context(viewport=DESKTOP, locale="en", timezone_id="Asia/Tokyo")
    page = context.new_page()
    log_in(page, asgi_server, "ivan")
    context.clear_cookies(name="tz")  # as on a first visit: no zone known to the server yet
    page.goto(f"{asgi_server}/console/history/?date_from=2026-11-19&date_to=2026-11-21")
    expect(page.locator(".h-started time")).to_contain_text("11:05")
    context.close()
