"""Alerts nobody misses, in real browsers: a new dialog nobody opens is alerted again and
again on the operator's console, then offered to every online operator (a banner on any
console page, even History) whose "Open dialog" opens it; once a colleague has opened
it, the alerts stop. The avatar menu offers Web Push when VAPID keys are configured."""

import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import expect
from py_vapid import Vapid
from py_vapid.utils import b64urlencode

from chat.models import Dialog, Site
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "alerts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TEXTS = {
    "en": {
        "offer": "Dialog #{number} with {name}: nobody has opened it",
        "waiting": "waiting 0 min",
        "open": "Open dialog",
        "offered": "offered to all",
        "push": "Notifications on this device: off",
    },
    "ru": {
        "offer": "Диалог №{number} с посетителем {name}: его ещё никто не открыл",
        "waiting": "ждёт 0 мин",
        "open": "Открыть диалог",
        "offered": "предложен всем",
        "push": "Уведомления на этом устройстве: выкл.",
    },
}
COUNT_ALERTS = """
window.alertsHeard = [];
document.addEventListener("console:alert", function (event) {
  window.alertsHeard.push(event.detail);
});
"""


@pytest.fixture
def asgi_server_env():
    """The server runs with VAPID keys, so the console offers Web Push."""
    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return {
        "WEBPUSH_VAPID_PUBLIC_KEY": b64urlencode(public),
        "WEBPUSH_VAPID_PRIVATE_KEY": b64urlencode(private),
        "WEBPUSH_VAPID_SUBJECT": "mailto:ops@example.com",
    }


@pytest.fixture
def shop(password, request):
    language = request.node.callspec.params["language"]
    account = Account.objects.create(name="Alert shop")
    site = Site.objects.create(
        account=account,
        name="Alert shop",
        widget_key="alert-key",
        language=language,
        alert_repeat_seconds=2,
        offer_after_seconds=4,
    )
    for username, name in (("anna", "Anna"), ("boris", "Boris")):
        user = get_user_model().objects.create_user(username, password=password)
        operator = Operator.objects.create(
            user=user, account=account, display_name=name, language=language
        )
        site.operators.add(operator)
    return site


def alerts(page, dialog_id, *reasons):
    return page.evaluate(
        "([id, reasons]) => window.alertsHeard.filter(a => a.dialog === id"
        " && (!reasons.length || reasons.includes(a.reason))).length",
        [dialog_id, list(reasons)],
    )


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("ru", PHONE)])
def test_an_unopened_dialog_is_alerted_again_then_offered_to_everyone(
    asgi_server, browser, shop, log_in, language, viewport
):
    texts = TEXTS[language]
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = f"{language}-{viewport['width']}"
    anna_ctx = browser.new_context(viewport=viewport, locale=language)
    anna_ctx.add_init_script(COUNT_ALERTS)
    anna = anna_ctx.new_page()
    log_in(anna, asgi_server, "anna")
    boris_ctx = browser.new_context(viewport=viewport, locale=language)
    boris = boris_ctx.new_page()
    log_in(boris, asgi_server, "boris")
    boris.goto(f"{asgi_server}/console/history/")

    # The Web Push item is in the avatar menu (VAPID keys are configured). Headless
    # Chromium has no push service, so subscribing itself is not tried here.
    anna.click(".me summary")
    expect(anna.locator("#push-toggle")).to_be_visible()
    expect(anna.locator("#push-toggle")).to_have_text(texts["push"])
    expect(anna.locator("#push-toggle")).to_have_attribute("aria-checked", "false")
    anna.keyboard.press("Escape")

    visitor_ctx = browser.new_context(viewport=viewport, locale=language)
    visitor = visitor_ctx.new_page()
    visitor.goto(f"{asgi_server}/demo/?site={shop.widget_key}")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill("Is anyone there?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)
    dialog = Dialog.objects.select_related("visitor").get()
    with translation.override(language):  # an anonymous visitor's nickname
        name = str(dialog.visitor.display_name)

    # Anna's Mine tab: the row of the new dialog, "waiting 0 min", and alert after alert.
    row = anna.locator(f'#tab-list .row[data-dialog="{dialog.id}"]')
    expect(row).to_have_attribute("data-alert-every", "2")
    expect(row.locator(".row-waiting")).to_have_text(texts["waiting"])
    anna.wait_for_function(
        "(id) => window.alertsHeard.filter(a => a.dialog === id && a.reason === 'repeat').length",
        arg=dialog.id,
    )
    assert alerts(anna, dialog.id, "new", "repeat") >= 2
    dialog.refresh_from_db()
    assert dialog.read_up_to == 0  # nobody opened it: that is why it repeats

    # Past 4 s it is offered to every online operator: Boris sees it on History.
    banner = boris.locator(f'.toast-offer[data-offer="{dialog.id}"]')
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    offer_text = banner.locator(".offer-title").text_content()
    assert offer_text == texts["offer"].format(number=dialog.number, name=name)
    expect(banner.locator(".offer-waiting")).to_have_text(texts["waiting"])
    expect(banner.locator(".offer-open")).to_have_text(texts["open"])
    boris.screenshot(path=SHOTS / f"{shot}-banner-on-history.png")

    # Anna has the banner too, and the row says it was offered; she dismisses hers.
    expect(row.locator(".row-offered")).to_have_text(texts["offered"])
    anna_banner = anna.locator(f'.toast-offer[data-offer="{dialog.id}"]')
    expect(anna_banner).to_be_visible()
    anna.screenshot(path=SHOTS / f"{shot}-mine-offered.png")
    anna_banner.locator(".offer-dismiss").click()
    expect(anna_banner).to_have_count(0)

    # Boris opens the dialog from the keyboard.
    boris.locator(f'.toast-offer[data-offer="{dialog.id}"] .offer-open').focus()
    boris.keyboard.press("Enter")
    expect(boris).to_have_url(f"{asgi_server}/console/dialogs/{dialog.id}/")
    expect(row).not_to_have_attribute("data-unopened", "")
    dialog.refresh_from_db()
    assert dialog.read_up_to > 0

    # Opened: Anna's console is quiet now.
    heard = alerts(anna, dialog.id)
    time.sleep(5)  # two and a half repeat intervals
    assert alerts(anna, dialog.id) == heard
    for context in (anna_ctx, boris_ctx, visitor_ctx):
        context.close()
