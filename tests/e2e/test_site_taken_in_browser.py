"""An administrator takes a site from an operator who keeps another (the site's admin page,
"Chosen operators"): her open console, showing a dialog of that site, leaves it for her list
at once, says why in a notice (no error, no reload by hand), and the list holds only the
kept site's dialogs (chat/console/withdrawal.py, console.js onSitesChanged).
Screenshots: test-artifacts/e2e/site-taken-*.png."""

import pytest
from django.contrib.auth import get_user_model
from helpers import DESKTOP, PHONE, admin_log_in, dialog_of, open_console, shop_with, watch_errors
from playwright.sync_api import expect

from chat.models import Site

pytestmark = pytest.mark.browser

NOTICE = {
    "en": "You were removed from this dialog’s site",
    "ru": "Вас убрали с сайта этого диалога",
}


@pytest.mark.parametrize(
    ("viewport", "language"), [(DESKTOP, "en"), (PHONE, "ru")], ids=["desktop-en", "phone-ru"]
)
def test_a_site_taken_leaves_its_dialog_and_rows(
    asgi_server, browser, screenshots, password, log_in, viewport, language
):
    shop, (vera,) = shop_with(password, "Take shop", "shop.example", "take-key", language=language)
    blog = Site.objects.create(account=shop.account, name="blog.example", widget_key="blog-key")
    blog.operators.add(vera)
    lost = dialog_of(shop, vera, 1, "blue-fox", "Where is my parcel?")
    kept = dialog_of(blog, vera, 2, "red-cat", "Do you ship abroad?")
    get_user_model().objects.create_superuser("root", password=password)
    console = open_console(browser, asgi_server, log_in, "vera", viewport=viewport)
    problems = watch_errors(console)
    console.goto(f"{asgi_server}/console/dialogs/{lost.id}/")
    expect(console.locator(f'.row[data-dialog="{kept.id}"]')).to_be_attached()
    expect(console.locator("#transcript")).to_contain_text("Where is my parcel?")

    admin = browser.new_context(viewport=DESKTOP).new_page()
    admin_log_in(admin, asgi_server, password)
    admin.goto(f"{asgi_server}/admin/chat/site/{shop.id}/change/")
    admin.select_option("#id_operators_to", str(vera.id))
    admin.click("#id_operators_remove")
    admin.click('input[name="_save"]')
    expect(admin.locator(".messagelist")).to_be_visible()

    expect(console).to_have_url(f"{asgi_server}/console/")
    expect(console.locator(".toast")).to_contain_text(NOTICE[language])
    expect(console.locator(f'.row[data-dialog="{lost.id}"]')).to_have_count(0)
    expect(console.locator(f'.row[data-dialog="{kept.id}"]')).to_be_attached()
    name = "desktop-en" if viewport is DESKTOP else "phone-ru"
    console.screenshot(path=screenshots / f"site-taken-{name}.png")
    assert problems == []
