""" "Erase personal data" in the admin reaches an open widget: its socket closes (4410) and
nothing of the erased conversation stays on the visitor's screen; he can start again as a
new, anonymous visitor."""

import pytest
from django.contrib.auth import get_user_model
from helpers import DESKTOP, admin_log_in, open_console, open_widget, shop_with
from playwright.sync_api import expect

from chat.models import Visitor

pytestmark = pytest.mark.browser

SECRET = "my card number is 4111 1111 1111 1111"


def test_the_widget_forgets_an_erased_conversation(asgi_server, browser, password, log_in):
    shop, _ = shop_with(password, "Erase shop", "Erase shop", "erase-key")
    get_user_model().objects.create_superuser("root", password=password)
    open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP)  # an operator online
    page, widget = open_widget(browser, asgi_server, shop, viewport=DESKTOP, language="en")
    widget.locator("#lc-input").fill(SECRET)
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_contain_text(SECRET)
    visitor = Visitor.objects.get(site=shop)

    admin = browser.new_context(viewport=DESKTOP).new_page()
    admin_log_in(admin, asgi_server, password)
    admin.goto(f"{asgi_server}/admin/chat/visitor/")
    admin.check(f'input[name="_selected_action"][value="{visitor.id}"]')
    admin.select_option('select[name="action"]', "erase_personal_data")
    admin.click('button[name="index"]')
    admin.click('input[type="submit"]')  # the confirmation page
    expect(admin.locator(".messagelist")).to_be_visible()

    # The old lines go; the greeting stays, and he can write again as a new visitor.
    expect(widget.locator(".lc-msg")).to_have_count(0)
    expect(widget.locator("#lc-messages")).not_to_contain_text(SECRET)
    expect(widget.locator(".lc-greeting")).to_be_visible()
    widget.locator("#lc-input").fill("Hello again")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)
    expect(widget.locator(".lc-msg-visitor")).to_contain_text("Hello again")
    assert Visitor.objects.filter(site=shop).count() == 2
    page.reload()
    page.click("#livechat-launcher")
    expect(page.frame_locator("#livechat-frame").locator("#lc-messages")).not_to_contain_text(
        SECRET
    )
