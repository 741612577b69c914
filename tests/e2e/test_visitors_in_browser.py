"""The Visitors tab on the stack (Daphne, Redis, Celery, Chromium): a visitor browsing two
pages appears in an operator's Visitors tab and his row follows him; "Write to visitor"
opens his widget with the message and the dialog lands in Mine. Screenshots EN/RU,
desktop and 390 px."""

import re

import pytest
from helpers import DESKTOP, PHONE, open_console, shop_with
from playwright.sync_api import expect

from chat.models import Dialog

pytestmark = pytest.mark.browser


def visit(browser, base_url, site, section, *, viewport=DESKTOP, page=None):
    page = page or browser.new_context(viewport=viewport).new_page()
    page.goto(f"{base_url}/demo/?site={site.widget_key}&section={section}&utm_source=e2e")
    return page


def test_a_visitor_appears_follows_his_pages_and_is_written_to(
    asgi_server, browser, screenshots, log_in, password
):
    site, (vera,) = shop_with(password, "Visitors shop", "visitors.example", "e2e-visitors")
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP)
    console.goto(f"{asgi_server}/console/visitors/")
    expect(console.locator("#v-empty")).to_be_visible()

    visitor = visit(browser, asgi_server, site, "shoes")
    row = console.locator("li.v-row")
    expect(row).to_have_count(1)
    expect(row.locator(".v-page-link")).to_have_attribute("href", re.compile("section=shoes"))
    expect(console.locator("#visitors-count")).to_have_text("1")
    expect(row).to_contain_text("1 page")
    expect(row.locator(".v-utm")).to_have_text("source=e2e")  # UTM of the landing page

    visit(browser, asgi_server, site, "hats", page=visitor)  # the second page
    expect(row.locator(".v-page-link")).to_have_attribute("href", re.compile("section=hats"))
    expect(row).to_contain_text("2 pages")
    expect(row).to_have_count(1)
    console.screenshot(path=screenshots / "visitors-desktop-en.png")
    console.set_viewport_size(PHONE)
    console.screenshot(path=screenshots / "visitors-phone-en.png", full_page=True)
    console.set_viewport_size(DESKTOP)

    row.locator(".v-write").click()
    console.fill("#v-write-text", "Hello! The hats are on sale today.")
    console.click("#v-write-send")
    expect(console).to_have_url(re.compile("/console/dialogs/"))
    dialog = Dialog.objects.get(site=site)
    assert dialog.status == Dialog.Status.ACTIVE
    expect(console.locator(f'#tab-list .row[data-dialog="{dialog.id}"]')).to_be_visible()

    widget = visitor.frame_locator("#livechat-frame")
    expect(visitor.locator("#livechat-launcher")).to_have_attribute("aria-expanded", "true")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("hats are on sale")
    expect(widget.locator("#lc-operator")).to_contain_text("Vera")
    visitor.screenshot(path=screenshots / "visitors-widget-opened.png")

    # Back in Visitors, his row says with whom he talks, and a second try is refused.
    console.goto(f"{asgi_server}/console/visitors/")
    expect(console.locator("li.v-row")).to_contain_text(f"In dialog #{dialog.number} with Vera")


def test_refusals_are_shown_and_the_tab_in_russian_and_on_a_phone(
    asgi_server, browser, screenshots, log_in, password
):
    from chat.models import BlockedIP

    site, _ = shop_with(
        password, "Магазин", "shop.example", "e2e-visitors-ru", operators=(("ivan", "Иван"),),
        language="ru",
    )  # fmt: skip
    BlockedIP.objects.create(account=site.account, network="127.0.0.1")
    phone_console = open_console(browser, asgi_server, log_in, "ivan", viewport=PHONE)
    phone_console.goto(f"{asgi_server}/console/visitors/")
    expect(phone_console.locator("h1")).to_contain_text("Посетители")
    expect(phone_console.locator("#v-empty")).to_be_visible()
    phone_console.screenshot(path=screenshots / "visitors-phone-ru-empty.png")
    # A blocked address never opens a widget socket: let him in, then block him.
    BlockedIP.objects.all().delete()
    visitor = visit(browser, asgi_server, site, "sale")
    expect(phone_console.locator("li.v-row")).to_have_count(1)
    BlockedIP.objects.create(account=site.account, network="127.0.0.1")
    phone_console.locator(".v-write").click()
    phone_console.fill("#v-write-text", "Здравствуйте!")
    phone_console.click("#v-write-send")
    expect(phone_console.locator("#v-write-error")).to_have_text(
        "IP-адрес этого посетителя заблокирован."
    )
    phone_console.screenshot(path=screenshots / "visitors-phone-ru-refused.png")
    phone_console.click("#v-write-cancel")
    phone_console.screenshot(path=screenshots / "visitors-phone-ru.png", full_page=True)

    desktop = open_console(browser, asgi_server, log_in, "ivan", viewport=DESKTOP)
    desktop.goto(f"{asgi_server}/console/visitors/")
    expect(desktop.locator("li.v-row")).to_contain_text("1 страница")
    expect(desktop.locator("#visitors-count")).to_have_text("1")
    desktop.screenshot(path=screenshots / "visitors-desktop-ru.png")
    visitor.close()
