"""Others, Missed, Invite operator and Block visitor, each in a real Chromium, on the
stack `make run` serves (Daphne, a Celery worker with beat, Redis)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.models import BlockedIP, Dialog, Site
from operators.models import Account, Operator

pytestmark = pytest.mark.browser


@pytest.fixture
def team(password):
    account = Account.objects.create(name="E2E shop")
    site = Site.objects.create(account=account, name="E2E shop", widget_key="e2e-key")
    users = get_user_model().objects
    lead = Operator.objects.create(
        user=users.create_user("olga", password=password),
        account=account,
        display_name="Olga",
        can_see_others=True,
        can_join_others=True,
    )
    junior = Operator.objects.create(
        user=users.create_user("pavel", password=password), account=account, display_name="Pavel"
    )
    site.operators.add(lead, junior)
    return site


def console_of(browser, base_url, username, viewport, log_in):
    page = browser.new_context(viewport=viewport).new_page()
    log_in(page, base_url, username)
    return page


def visitor_writes(browser, base_url, site, text):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{base_url}/demo/?site={site.widget_key}")
    page.click("#livechat-launcher")
    widget = page.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill(text)
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)").last).to_contain_text(text)
    return page, widget


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_others_invite_missed_and_block(asgi_server, browser, screenshots, team, viewport, log_in):
    size = "phone" if viewport["width"] < 500 else "desktop"
    olga = console_of(browser, asgi_server, "olga", viewport, log_in)
    pavel = console_of(browser, asgi_server, "pavel", viewport, log_in)
    expect(pavel.locator('a[href="/console/others/"]')).to_have_count(0)  # no access flag

    visitor, widget = visitor_writes(browser, asgi_server, team, "I want a bulk discount")

    # Pavel takes the dialog: it leaves Olga's Mine and shows in her Others, live.
    pavel.locator("#tab-list .row").first.click()
    pavel.click("#connect-dialog")
    expect(pavel.locator("#composer-text")).to_be_visible()
    expect(olga.locator("[data-count=others]")).to_have_text("1")
    expect(olga.locator("[data-count=mine]")).to_have_text("0")
    olga.click('a[href="/console/others/"]')
    expect(olga.locator("#tab-list .row")).to_contain_text("bulk discount")
    olga.screenshot(path=screenshots / f"{size}-others-tab.png")

    # Pavel invites Olga; she accepts from the toast and lands in the dialog.
    pavel.click(".dialog-menu summary")
    pavel.click("#invite-menu summary")
    pavel.click(".invite-choice")
    toast = olga.locator(".toast-invitation")
    expect(toast).to_contain_text("Pavel invites you")
    olga.screenshot(path=screenshots / f"{size}-invitation-toast.png")
    toast.locator("[data-answer=accept]").click()
    expect(olga.locator("#composer-text")).to_be_visible()
    expect(pavel.locator(".toast").last).to_contain_text("Olga accepted your invitation")
    olga.fill("#composer-text", "Hello, I am the team lead. 10% off from 20 items.")
    olga.press("#composer-text", "Enter")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("10% off", timeout=20_000)

    # A second visitor writes and leaves: the dialog moves to Missed by itself.
    gone, _gone_widget = visitor_writes(browser, asgi_server, team, "Is anyone there?")
    expect(olga.locator("[data-count=mine]")).to_have_text("2")  # hers and the new one
    gone.context.close()
    expect(olga.locator("[data-count=missed]")).to_have_text("1", timeout=20_000)
    olga.click('a[href="/console/missed/"]')
    expect(olga.locator("#tab-list .row")).to_contain_text("Is anyone there?")
    olga.screenshot(path=screenshots / f"{size}-missed-tab.png")
    olga.locator("#tab-list .row").first.click()
    olga.click("#connect-dialog")
    olga.fill("#composer-text", "Sorry for the wait! How can I help?")
    olga.press("#composer-text", "Enter")
    expect(olga.locator(".msg-operator:not(.msg-pending)").last).to_contain_text("Sorry")
    expect(olga.locator("[data-count=missed]")).to_have_text("0")

    # Pavel blocks the first visitor: his widget closes and says why.
    pavel.reload()
    pavel.click(".dialog-menu summary")
    pavel.click("#block-visitor summary")
    pavel.fill("#block-reason", "Spam")
    pavel.screenshot(path=screenshots / f"{size}-block-menu.png")
    pavel.click("#block-confirm")
    expect(widget.locator("#lc-unavailable")).to_have_text("The chat is not available.")
    visitor.screenshot(path=screenshots / f"{size}-widget-blocked.png")

    entry = BlockedIP.objects.get()
    assert (entry.network, entry.reason, entry.blocked_by.display_name) == (
        "127.0.0.1/32",
        "Spam",
        "Pavel",
    )
    assert Dialog.objects.get(number=1).status == "closed"
    assert Dialog.objects.get(number=2).status == "active"
    for page in (olga, pavel, visitor):
        page.context.close()
