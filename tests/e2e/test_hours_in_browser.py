"""Business hours in a real Chromium on the stack `make run` serves: outside hours the
widget shows the offline form with the next opening time, in the visitor's language, even
with an operator online; the Site settings editor works on a desktop and a 390 px phone."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.models import Site
from engage.models import SiteHours, WeeklyRange
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ru": ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу",
           "в воскресенье"],
}  # fmt: skip
EXPECTED = {
    "en": ("We are closed now", "We will answer on {day} at 09:00."),
    "ru": ("Сейчас мы не работаем", "Мы ответим {day} в 09:00."),
}


def opening_day():
    """Three days from now (UTC): the only day the site works, 09:00-17:00 UTC."""
    return (datetime.now(UTC) + timedelta(days=3)).date()


@pytest.fixture
def closed_shop(request, password):
    language = request.node.callspec.params["language"]
    account = Account.objects.create(name="E2E hours")
    site = Site.objects.create(
        account=account, name="E2E hours", widget_key="e2e-hours", language=language
    )
    user = get_user_model().objects.create_user("olga", password=password, first_name="Olga")
    operator = Operator.objects.create(
        user=user,
        account=account,
        display_name="Olga",
        can_manage_site_settings=True,
        language=language,
    )
    site.operators.add(operator)
    hours = SiteHours.objects.create(site=site, enabled=True, time_zone="UTC")
    WeeklyRange.objects.create(
        hours=hours, weekday=opening_day().weekday(), opens=time(9), closes=time(17)
    )
    return site


@pytest.mark.parametrize(
    ("language", "viewport", "name"),
    [("en", DESKTOP, "desktop"), ("en", PHONE, "phone"), ("ru", DESKTOP, "desktop"),
     ("ru", PHONE, "phone")],
)  # fmt: skip
def test_outside_hours_the_widget_shows_the_offline_form_with_the_next_opening_time(
    asgi_server, browser, screenshots, closed_shop, log_in, language, viewport, name
):
    # Olga is online with her console open: the site is still closed.
    console = browser.new_context(viewport=viewport).new_page()
    log_in(console, asgi_server, "olga")

    visitor = browser.new_context(viewport=viewport).new_page()
    visitor.goto(f"{asgi_server}/demo/?site={closed_shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    title, notice = EXPECTED[language]
    day = WEEKDAYS[language][opening_day().weekday()]
    form = widget.locator("#lc-offline-form")
    expect(form).to_be_visible()
    expect(widget.locator("#lc-composer")).to_be_hidden()
    expect(widget.locator("#lc-offline-title")).to_have_text(title)
    expect(widget.locator("#lc-hours-form-notice")).to_have_text(notice.format(day=day))
    visitor.wait_for_timeout(400)  # the panel's opening animation
    visitor.screenshot(path=screenshots / f"hours-widget-closed-{language}-{name}.png")

    # He may still write in the chat: the note there says when we answer, too.
    form.locator("[data-chat-anyway]").click()
    expect(widget.locator("#lc-composer")).to_be_visible()
    expect(widget.locator("#lc-hours-chat-notice")).to_have_text(notice.format(day=day))

    # The Site settings editor, from the operator's menu.
    console.goto(f"{asgi_server}/console/sites/")
    console.locator(".settings-site a.btn").click()
    expect(console.locator("#hours-form")).to_be_visible()
    expect(console.locator("#weekly-rows .hours-row")).to_have_count(2)  # one + an empty one
    console.locator("[data-add-row=weekly]").click()
    expect(console.locator("#weekly-rows .hours-row")).to_have_count(3)
    width = console.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], "the editor scrolls sideways"
    console.screenshot(path=screenshots / f"hours-editor-{language}-{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["en"])
def test_saving_a_range_that_opens_the_site_now_turns_the_widget_online(
    asgi_server, browser, closed_shop, log_in, language
):
    console = browser.new_context(viewport=DESKTOP).new_page()
    log_in(console, asgi_server, "olga")
    console.goto(f"{asgi_server}/console/sites/{closed_shop.id}/hours/")
    today = datetime.now(UTC).weekday()
    row = console.locator("#weekly-rows .hours-row").last
    row.locator("select").select_option(str(today))
    row.locator("input[name$='-opens']").fill("00:00")
    row.locator("input[name$='-closes']").fill("00:00")  # 24:00
    console.click("#hours-save")
    expect(console.locator("#hours-now")).to_have_text("Open now.")

    visitor = browser.new_context(viewport=DESKTOP).new_page()
    visitor.goto(f"{asgi_server}/demo/?site={closed_shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-composer")).to_be_visible()
    expect(widget.locator("#lc-offline-form")).to_be_hidden()


@pytest.mark.parametrize("language", ["en"])
def test_the_widget_goes_offline_by_itself_when_the_site_closes(
    asgi_server, browser, closed_shop, log_in, language
):
    """No reload: widget-hours.js asks again (`hours` frame) once closes_at has passed."""
    now = datetime.now(UTC)
    closes = (now + timedelta(minutes=2 if now.second > 30 else 1)).replace(second=0)
    if closes.date() != now.date():
        pytest.skip("too close to midnight UTC for a range of today")
    hours = SiteHours.objects.get(site=closed_shop)
    WeeklyRange.objects.create(
        hours=hours, weekday=now.weekday(), opens=time(0), closes=closes.time()
    )
    console = browser.new_context(viewport=DESKTOP).new_page()
    log_in(console, asgi_server, "olga")
    visitor = browser.new_context(viewport=DESKTOP).new_page()
    visitor.goto(f"{asgi_server}/demo/?site={closed_shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator("#lc-composer")).to_be_visible()  # open, Olga online
    expect(widget.locator("#lc-offline-form")).to_be_visible(timeout=150_000)
    expect(widget.locator("#lc-offline-title")).to_have_text("We are closed now")
